using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Tests;

/// <summary>
/// The example traces of scenarios/traces parse completely, and the attribution rule of
/// docs/replay.md gives every iommu map/unmap a device (except around the lost events).
/// </summary>
public class ExampleTraceTests
{
    private const ulong Page = 4096;

    [Fact]
    public void Nvme_like_tracefs_trace()
    {
        var (records, d) = Load("nvme-like.trace");
        Assert.Equal(0, d.NotUnderstood);
        Assert.False(d.UnterminatedLastLine);
        Assert.Equal(12, d.CommentLines);
        Assert.Equal(d.Lines - 12, d.Events);
        Assert.True(d.Lines > 2000, $"{d.Lines} lines");
        Assert.Equal(d.EventCount(TraceEventKind.DmaMapPage), d.EventCount(TraceEventKind.DmaUnmapPage));
        Assert.Equal(d.EventCount(TraceEventKind.DmaMapSg), d.EventCount(TraceEventKind.DmaUnmapSg));
        Assert.True(d.EventCount(TraceEventKind.DmaMapSg) > 50);
        Assert.Equal(4, records.Select(r => r.Context.Cpu).Distinct().Count());
        Assert.All(records, r => Assert.NotNull(r.Context.Flags));

        var sizes = records.Select(r => r.Event).OfType<DmaMapEvent>().Select(e => e.Size).ToHashSet();
        Assert.Contains(4096UL, sizes);
        Assert.Contains(131072UL, sizes);
        AssertTimeOrdered(records);

        var (claimed, unattributed) = Attribute(records, "0000:01:00.0");
        Assert.Equal(d.EventCount(TraceEventKind.IommuMap) + d.EventCount(TraceEventKind.IommuUnmap), claimed);
        Assert.Empty(unattributed);
    }

    [Fact]
    public void Nic_like_trace_cmd_report()
    {
        var (records, d) = Load("nic-like.trace");
        Assert.Equal(0, d.NotUnderstood);
        Assert.Equal(2, d.HeaderLines);
        Assert.Equal(1, d.LostEventLines);
        Assert.Equal(10, d.LostEvents);
        Assert.Equal(d.Lines - 3, d.Events);
        Assert.True(d.Lines > 2000, $"{d.Lines} lines");
        Assert.All(records, r => Assert.Null(r.Context.Flags));
        Assert.Equal(2, d.EventCount(TraceEventKind.DmaAlloc));
        Assert.True(d.EventCount(TraceEventKind.DmaSyncSingleForCpu) > 100);

        var maps = records.Select(r => r.Event).OfType<DmaMapEvent>().ToList();
        Assert.Contains(maps, m => m.Direction == DmaDirection.FromDevice && m.Attrs == (DmaAttributes.SkipCpuSync | DmaAttributes.WeakOrdering));
        Assert.Contains(maps, m => m.Direction == DmaDirection.ToDevice && m.Attrs == DmaAttributes.None);
        AssertTimeOrdered(records);

        var (claimed, unattributed) = Attribute(records, "ff0a0000.ethernet");
        Assert.True(claimed > 1000);
        Assert.All(unattributed, cpu => Assert.Equal(2, cpu));
    }

    private static (List<ParsedTraceEvent> Records, Diagnostics.TraceDiagnostics Diagnostics) Load(string name)
    {
        using var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "traces", name));
        var parser = new TraceParser(reader);
        var records = parser.ReadAll().ToList();
        return (records, parser.Diagnostics);
    }

    private static void AssertTimeOrdered(List<ParsedTraceEvent> records)
    {
        var times = records.Where(r => r.Event is not TraceLostEvents).Select(r => r.Context.Timestamp.Value).ToList();
        Assert.Equal(times.Order(), times);
    }

    /// <summary>
    /// docs/replay.md: an iommu map/unmap belongs to the DMA-API call of the same CPU, task and
    /// interrupt context that encloses it: the next DMA-API event for calls traced after their
    /// work (map, unmap_page/phys, map_sg, alloc), the previous one for calls traced before it
    /// (unmap_sg, free*), when that event's DMA range holds the IOVA range. A lost-events line
    /// leaves its CPU's pending ones unattributed. Returns the claimed count and the CPUs of the
    /// unattributed ones.
    /// </summary>
    private static (int Claimed, List<int> UnattributedCpus) Attribute(List<ParsedTraceEvent> records, string device)
    {
        var pending = new Dictionary<(int Cpu, int Pid, char Context), List<(ulong Start, ulong End)>>();
        var windows = new Dictionary<(int Cpu, int Pid, char Context), List<(ulong Start, ulong End)>?>();
        var claimed = 0;
        var unattributed = new List<int>();
        foreach (var r in records)
        {
            var key = (r.Context.Cpu, r.Context.Pid, r.Context.Flags?.IrqContext ?? '?');
            (ulong Start, ulong End)? iommu = r.Event switch
            {
                IommuMapEvent m => (m.Iova, m.Iova + m.Size),
                IommuUnmapEvent u => (u.Iova, u.Iova + u.Size),
                _ => null,
            };
            if (iommu is { } range)
            {
                if (windows.TryGetValue(key, out var window) && Holds(window, range))
                {
                    claimed++;
                }
                else
                {
                    Queue(pending, key, range);
                }

                continue;
            }

            if (r.Event is TraceLostEvents lost)
            {
                foreach (var k in pending.Keys.Where(k => k.Cpu == lost.Cpu).ToList())
                {
                    unattributed.AddRange(pending[k].Select(_ => k.Cpu));
                    pending.Remove(k);
                }

                foreach (var k in windows.Keys.Where(k => k.Cpu == lost.Cpu).ToList())
                {
                    windows.Remove(k);
                }

                continue;
            }

            if (!r.Event.AffectsIommu)
            {
                continue;
            }

            Assert.Equal(device, r.Event.Device);
            windows.Remove(key);
            var ranges = DmaRanges(r.Event);
            if (r.Event is DmaUnmapSgEvent or DmaFreeEvent or DmaFreeSgtEvent)
            {
                windows[key] = ranges;
                continue;
            }

            if (pending.TryGetValue(key, out var list))
            {
                var taken = list.Where(p => Holds(ranges, p)).ToList();
                claimed += taken.Count;
                list.RemoveAll(taken.Contains);
                if (list.Count == 0)
                {
                    pending.Remove(key);
                }
            }
        }

        unattributed.AddRange(pending.SelectMany(p => p.Value.Select(_ => p.Key.Cpu)));
        return (claimed, unattributed);
    }

    private static bool Holds(List<(ulong Start, ulong End)>? ranges, (ulong Start, ulong End) iova) =>
        ranges is null || ranges.Any(g => iova.Start >= g.Start && iova.End <= g.End);

    private static void Queue(Dictionary<(int, int, char), List<(ulong, ulong)>> pending, (int, int, char) key, (ulong, ulong) range)
    {
        if (!pending.TryGetValue(key, out var list))
        {
            pending[key] = list = [];
        }

        list.Add(range);
    }

    /// <summary>The page-aligned DMA ranges an event covers; null when it names none (dma_unmap_sg).</summary>
    private static List<(ulong Start, ulong End)>? DmaRanges(ITraceEvent ev) => ev switch
    {
        DmaMapEvent m => [Aligned(m.DmaAddress, m.Size)],
        DmaUnmapEvent u => [Aligned(u.DmaAddress, u.Size)],
        DmaAllocEvent a => [Aligned(a.DmaAddress, a.Size)],
        DmaFreeEvent f => [Aligned(f.DmaAddress, f.Size)],
        DmaFreeSgtEvent f => [Aligned(f.DmaAddress, f.Size)],
        DmaAllocSgtEvent a => [Aligned(a.DmaAddress, a.Size)],
        DmaMapSgEvent sg => sg.DmaAddresses.Zip(sg.Lengths, (a, l) => Aligned(a, l)).ToList(),
        _ => null,
    };

    private static (ulong Start, ulong End) Aligned(ulong address, ulong size) =>
        (address & ~(Page - 1), (address + size + Page - 1) & ~(Page - 1));
}
