namespace SmmuLab.Verification;

/// <summary>What the stale-translation oracle saw in a run.</summary>
/// <param name="PagesChecked">Pages of DMA judged.</param>
/// <param name="PagesUnchecked">Pages of DMA through domains the oracle cannot judge (nested).</param>
/// <param name="ViolationCount">Violations found (all of them).</param>
/// <param name="Violations">The first violations, in order (at most the oracle's limit).</param>
public sealed record OracleSummary(long PagesChecked, long PagesUnchecked, long ViolationCount, IReadOnlyList<OracleViolation> Violations)
{
    /// <summary>
    /// Pages of DMA (among <see cref="PagesChecked"/>) that used a translation a lazy domain had
    /// unmapped but not yet flushed: allowed by design in deferred mode, so not violations.
    /// </summary>
    public long DeferredWindowPages { get; init; }

    /// <summary>The report's headline: <c>oracle: 12 DMA pages checked, 0 stale-translation violations</c>.</summary>
    public string Headline =>
        $"oracle: {PagesChecked} DMA pages checked, {ViolationCount} stale-translation violations"
        + (DeferredWindowPages > 0 ? $" ({DeferredWindowPages} in the deferred window of lazy domains, allowed)" : string.Empty)
        + (PagesUnchecked > 0 ? $" ({PagesUnchecked} pages through nested domains not checked)" : string.Empty);
}
