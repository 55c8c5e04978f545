namespace SmmuLab.Replay.Engine;

/// <summary>How the input ended.</summary>
public enum ReplayEnd
{
    /// <summary>Read to the end; every line was either replayed or reported.</summary>
    Complete,

    /// <summary>The last line was cut before its newline and does not parse: the result covers the lines before it.</summary>
    Truncated,

    /// <summary>Reading failed part-way (<see cref="ReplayReport.ReadError"/>): the result covers the lines read.</summary>
    ReadError,
}
