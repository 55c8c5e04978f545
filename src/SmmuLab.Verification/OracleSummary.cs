namespace SmmuLab.Verification;

/// <summary>What the stale-translation oracle saw in a run.</summary>
/// <param name="PagesChecked">Pages of DMA judged.</param>
/// <param name="PagesUnchecked">Pages of DMA through domains the oracle cannot judge (nested).</param>
/// <param name="ViolationCount">Violations found (all of them).</param>
/// <param name="Violations">The first violations, in order (at most the oracle's limit).</param>
public sealed record OracleSummary(long PagesChecked, long PagesUnchecked, long ViolationCount, IReadOnlyList<OracleViolation> Violations)
{
    /// <summary>The report's headline: <c>oracle: 12 DMA pages checked, 0 stale-translation violations</c>.</summary>
    public string Headline =>
        $"oracle: {PagesChecked} DMA pages checked, {ViolationCount} stale-translation violations"
        + (PagesUnchecked > 0 ? $" ({PagesUnchecked} pages through nested domains not checked)" : string.Empty);
}
