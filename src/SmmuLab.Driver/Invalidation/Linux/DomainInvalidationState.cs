namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// The Linux design's per-domain state: the published invalidation array (Linux
/// <c>smmu_domain-&gt;invs</c>), replaced by reference swap.
/// </summary>
/// <remarks>
/// <para>Publication: writers (serialised by the attach lock) fill a new array completely and then
/// store its reference with <c>Volatile.Write</c> (release); readers load it
/// once with <c>Volatile.Read</c> (acquire) and use only that snapshot, so they see
/// either the old array or the whole new one, never a half-built one.</para>
/// <para>Freeing: the replaced array is simply dropped. A reader that loaded it before the swap
/// keeps a strong reference, so the garbage collector cannot reclaim it while any invalidation
/// still walks it — the collector plays the part of Linux's RCU grace period and
/// <c>kfree_rcu</c>. Such a late reader only issues invalidations for entries that were valid a
/// moment ago, which is harmless over-invalidation.</para>
/// </remarks>
internal sealed class DomainInvalidationState
{
    private InvalidationArray invs;

    internal DomainInvalidationState(InvalidationArray initial) => invs = initial;

    /// <summary>The published array (one acquire load; use the value, do not reload).</summary>
    public InvalidationArray Current => Volatile.Read(ref invs);

    /// <summary>Publishes <paramref name="array"/> (a release store of the reference).</summary>
    internal void Publish(InvalidationArray array) => Volatile.Write(ref invs, array);

    /// <summary>Publishes <paramref name="array"/> only if <paramref name="expected"/> is still the published one.</summary>
    internal bool Replace(InvalidationArray expected, InvalidationArray array) =>
        ReferenceEquals(Interlocked.CompareExchange(ref invs, array, expected), expected);
}
