namespace SmmuLab.Replay.Diagnostics;

/// <summary>One kept example of a problem line: where, the line's text (cut to the sample length), and why.</summary>
public readonly record struct TraceDiagnosticSample(long LineNumber, string Text, string Detail);
