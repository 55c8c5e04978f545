namespace SmmuLab.Replay.Parsing;

/// <summary>Limits that keep a parse's memory bounded whatever the input.</summary>
public sealed record TraceParserOptions
{
    /// <summary>Problem lines kept as samples per <see cref="Diagnostics.TraceProblem"/>.</summary>
    public int SamplesPerProblem { get; init; } = 5;

    /// <summary>Characters of a problem line kept in its sample.</summary>
    public int SampleLength { get; init; } = 240;

    /// <summary>
    /// Longest line accepted, in characters. A 128-entry counted <c>dma_map_sg</c> is about 8 K;
    /// an old untruncated one with thousands of segments can reach a few hundred K.
    /// </summary>
    public int MaxLineLength { get; init; } = 1 << 20;

    /// <summary>Distinct device, task and flag names shared rather than allocated per line.</summary>
    public int NameTableCapacity { get; init; } = 16384;
}
