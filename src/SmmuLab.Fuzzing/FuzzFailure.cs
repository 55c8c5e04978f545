namespace SmmuLab.Fuzzing;

/// <summary>A case the model did not answer the architected way (or threw on), with what reruns it.</summary>
/// <param name="CaseSeed">The seed that generates the case: <c>smmulab fuzz --seed CaseSeed</c> runs it first.</param>
/// <param name="Case">The case as generated.</param>
/// <param name="Shrunk">The smallest case found by dropping actions that still fails.</param>
/// <param name="Problem">What went wrong (for the shrunk case).</param>
public sealed record FuzzFailure(ulong CaseSeed, FuzzCase Case, FuzzCase Shrunk, string Problem);
