namespace SmmuLab.Hardware.Configuration;

/// <summary>A snapshot of the configuration cache counters.</summary>
/// <param name="SteHits">STE lookups answered by the cache.</param>
/// <param name="SteMisses">STE lookups that walked the stream table.</param>
/// <param name="CdHits">CD lookups answered by the cache.</param>
/// <param name="CdMisses">CD lookups that walked the CD table.</param>
/// <param name="L1Hits">L1STD and L1CD lookups answered by the cache.</param>
/// <param name="SteFetches">STE reads from memory.</param>
/// <param name="CdFetches">CD reads from memory.</param>
/// <param name="L1Fetches">L1STD and L1CD reads from memory.</param>
/// <param name="Invalidations">CFGI operations applied.</param>
public readonly record struct ConfigCacheStatistics(
    long SteHits,
    long SteMisses,
    long CdHits,
    long CdMisses,
    long L1Hits,
    long SteFetches,
    long CdFetches,
    long L1Fetches,
    long Invalidations)
{
    /// <summary>All structure reads from memory.</summary>
    public long Fetches => SteFetches + CdFetches + L1Fetches;
}
