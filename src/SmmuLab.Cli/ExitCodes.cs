namespace SmmuLab.Cli;

/// <summary>Process exit codes of <c>smmulab</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The input was refused: unknown name, value out of range, bad hex, wrong word count.</summary>
    public const int BadInput = 2;

    /// <summary>A scenario ran but a step failed: an <c>expect</c> not met, or the machine refused a step.</summary>
    public const int Failed = 1;
}
