using SmmuLab.Driver.PageTables;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>
/// Flush ops that record what the page tables asked for and, like the SMMUv3 driver, merge pages
/// into the gather (syncing it first when needed). Gathers made by <see cref="NewGather"/> record
/// their syncs as leaf invalidations.
/// </summary>
public sealed class RecordingFlushOps(List<string>? log = null) : IIoPageTableFlushOps
{
    /// <summary>Shared event log ("walk iova size granule", "page iova size", "sync start size pgsize").</summary>
    public List<string> Log { get; } = log ?? [];

    public List<(ulong Iova, ulong Size, ulong Granule)> WalkFlushes { get; } = [];

    public List<(ulong Iova, ulong Size)> Pages { get; } = [];

    /// <summary>Leaf invalidations issued by gather syncs: start, size, page size.</summary>
    public List<(ulong Start, ulong Size, ulong PageSize)> LeafInvalidations { get; } = [];

    /// <summary>When false, <see cref="AddPage"/> records and returns without logging (allocation tests).</summary>
    public bool Logging { get; set; } = true;

    public void FlushWalk(ulong iova, ulong size, ulong granule)
    {
        WalkFlushes.Add((iova, size, granule));
        Log.Add($"walk 0x{iova:X} 0x{size:X} 0x{granule:X}");
    }

    public void AddPage(IotlbGather gather, ulong iova, ulong granule)
    {
        if (Logging)
        {
            Pages.Add((iova, granule));
            Log.Add($"page 0x{iova:X} 0x{granule:X}");
        }

        gather.AddPage(iova, granule);
    }

    /// <summary>A gather whose syncs are recorded here.</summary>
    public IotlbGather NewGather() => new(g =>
    {
        if (Logging)
        {
            LeafInvalidations.Add((g.Start, g.Size, g.PageSize));
            Log.Add($"sync 0x{g.Start:X} 0x{g.Size:X} 0x{g.PageSize:X}");
        }
    });

    public void Clear()
    {
        WalkFlushes.Clear();
        Pages.Clear();
        LeafInvalidations.Clear();
        Log.Clear();
    }
}
