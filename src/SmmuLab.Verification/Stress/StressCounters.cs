namespace SmmuLab.Verification.Stress;

/// <summary>What the threads of a <see cref="StressCheck"/> phase did, counted as they go.</summary>
public sealed class StressCounters
{
    private long rounds;
    private long maps;
    private long unmaps;
    private long dmas;
    private long probes;
    private long attaches;
    private long atsCycles;

    /// <summary>Rounds of all threads.</summary>
    public long Rounds => Interlocked.Read(ref rounds);

    /// <summary>Successful maps of the map/unmap/DMA threads.</summary>
    public long Maps => Interlocked.Read(ref maps);

    /// <summary>Unmaps of the map/unmap/DMA threads (each followed by a DMA to the page, which must fault).</summary>
    public long Unmaps => Interlocked.Read(ref unmaps);

    /// <summary>DMA transfers issued by every thread (faulting ones too); the oracle counts the pages that reached memory.</summary>
    public long Dmas => Interlocked.Read(ref dmas);

    /// <summary>DMAs to a page just unmapped, or by a device just detached or moved: each must fault.</summary>
    public long Probes => Interlocked.Read(ref probes);

    /// <summary>Attach/detach cycles of the churn device.</summary>
    public long Attaches => Interlocked.Read(ref attaches);

    /// <summary>Shared, spare, blocked cycles of the ATS device.</summary>
    public long AtsCycles => Interlocked.Read(ref atsCycles);

    internal void Add(StressCounters other)
    {
        Interlocked.Add(ref rounds, other.Rounds);
        Interlocked.Add(ref maps, other.Maps);
        Interlocked.Add(ref unmaps, other.Unmaps);
        Interlocked.Add(ref dmas, other.Dmas);
        Interlocked.Add(ref probes, other.Probes);
        Interlocked.Add(ref attaches, other.Attaches);
        Interlocked.Add(ref atsCycles, other.AtsCycles);
    }

    internal void Round() => Interlocked.Increment(ref rounds);

    internal void Map() => Interlocked.Increment(ref maps);

    internal void Unmap() => Interlocked.Increment(ref unmaps);

    internal void Dma() => Interlocked.Increment(ref dmas);

    internal void Probe() => Interlocked.Increment(ref probes);

    internal void Attach() => Interlocked.Increment(ref attaches);

    internal void AtsCycle() => Interlocked.Increment(ref atsCycles);
}
