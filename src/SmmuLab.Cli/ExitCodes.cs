namespace SmmuLab.Cli;

/// <summary>Process exit codes of <c>smmulab</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The input was refused: unknown name, value out of range, bad hex, wrong word count.</summary>
    public const int BadInput = 2;

    /// <summary>A scenario ran but a step failed: an <c>expect</c> not met, or the machine refused a step.</summary>
    public const int Failed = 1;

    /// <summary>An output file (a trace) could not be written completely; the target file was left as it was.</summary>
    public const int WriteFailed = 3;
}
