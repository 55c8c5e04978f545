using System.Numerics;
using CsCheck;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>
/// Random map/unmap sequences, every granule, both stages, random input and output sizes: after
/// each request the hardware model's walker, <see cref="IoPageTable.IovaToPhys"/> and a per-page
/// reference agree; refused requests change nothing; unmapped pages are covered by an invalidation.
/// </summary>
public sealed class WalkerCrossCheckTests
{
    private static readonly int[] OutputSizes = [40, 44, 48];

    [Fact]
    public void Random_sequences_agree_with_the_hardware_walker_and_a_reference() =>
        Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Int[0, int.MaxValue]).Sample(t =>
        {
            var (gi, stage2, seed) = t;
            Run(PageTableHarness.Granules[gi], stage2 ? IoPageTableFormat.Stage2 : IoPageTableFormat.Stage1, seed);
        }, iter: 48);

    private sealed record Page(ulong Pa, ulong LeafSize, IommuProt Prot);

    private static void Run(Granule granule, IoPageTableFormat format, int seed)
    {
        var rng = new Random(seed);
        var ias = rng.Next(33, 49);
        var oas = granule == Granule.Size64K && rng.Next(4) == 0 ? 52 : OutputSizes[rng.Next(OutputSizes.Length)];
        var h = new PageTableHarness(new IoPageTableConfig(format, granule, ias, oas, rng.Next(2) == 0), dirtyAllocator: rng.Next(2) == 0);
        ulong g = h.G, b = h.Block, window = 4 * b;
        var windowBase = (ulong)rng.NextInt64(0, (long)(((1UL << ias) - window) / b) + 1) * b;
        var paBase = (ulong)rng.NextInt64(0, (long)(1UL << (Math.Min(oas, 48) - 36))) << 36; // plus offsets below 2^36
        var reference = new Dictionary<ulong, Page>();
        var history = new List<(ulong Iova, ulong Size)>();
        var context = $"{h.Config} window 0x{windowBase:X} seed {seed}";

        for (var op = 0; op < 40; op++)
        {
            var map = rng.Next(2) == 0;
            // Unmaps mostly target earlier maps (whole or in part); maps sometimes do, to test overlaps.
            var reuse = history.Count > 0 && (map ? rng.Next(4) == 0 : rng.Next(3) != 0);
            var (start, size) = reuse ? Reuse(rng, history, g) : RandomRange(rng, g, b, windowBase, window);
            if (map)
            {
                var pa = paBase + ((ulong)rng.NextInt64(0, 64) * b) + (start % b) + (rng.Next(3) == 0 ? g * (ulong)rng.Next(1, 4) : 0);
                var prot = IommuProt.Read | (rng.Next(2) == 0 ? IommuProt.Write : 0) | (rng.Next(2) == 0 ? IommuProt.Cache : 0);
                DoMap(h, reference, history, start, pa, size, prot);
            }
            else
            {
                DoUnmap(h, reference, start, size, context);
            }

            CheckPages(h, reference, start, size, rng, context);
        }

        for (var iova = windowBase; iova < windowBase + window; iova += g)
        {
            CheckPage(h, reference, iova, context);
        }

        Assert.Equal(h.Allocator.Live.Count, h.Table.TablePages);
        h.Table.Dispose();
        Assert.Empty(h.Allocator.Live);
    }

    private static (ulong, ulong) RandomRange(Random rng, ulong g, ulong b, ulong windowBase, ulong window)
    {
        ulong start, size;
        switch (rng.Next(3))
        {
            case 0:
                start = windowBase + ((ulong)rng.NextInt64(0, (long)(window / g)) * g);
                size = (ulong)rng.Next(1, 48) * g;
                break;
            case 1:
                start = windowBase + ((ulong)rng.Next(0, 4) * b);
                size = (ulong)rng.Next(1, 3) * b;
                break;
            default:
                start = windowBase + ((ulong)rng.NextInt64(0, (long)(window / g)) * g);
                size = (ulong)rng.NextInt64(1, (long)(3 * b / 2 / g)) * g;
                break;
        }

        return (start, Math.Min(size, windowBase + window - start));
    }

    /// <summary>A range that was mapped before, whole or cut at a page boundary.</summary>
    private static (ulong, ulong) Reuse(Random rng, List<(ulong Iova, ulong Size)> history, ulong g)
    {
        var (iova, size) = history[rng.Next(history.Count)];
        var pages = size / g;
        if (pages == 1 || rng.Next(2) == 0)
        {
            return (iova, size);
        }

        var cut = (ulong)rng.NextInt64(1, (long)pages) * g;
        return rng.Next(2) == 0 ? (iova, cut) : (iova + cut, size - cut);
    }

    private static void DoMap(PageTableHarness h, Dictionary<ulong, Page> reference, List<(ulong, ulong)> history,
        ulong iova, ulong pa, ulong size, IommuProt prot)
    {
        var free = true;
        for (var p = iova; p < iova + size && free; p += h.G)
        {
            free = !reference.ContainsKey(p);
        }

        if (!free)
        {
            h.AssertRefused(IoPageTableError.AlreadyMapped, () => h.Table.Map(iova, pa, size, prot));
            return;
        }

        h.Table.Map(iova, pa, size, prot);
        history.Add((iova, size));
        PageSizeSelector.Split(h.Table.PageSizeBitmap, iova, pa, size, (va, opa, leaf) =>
        {
            for (var o = 0UL; o < leaf; o += h.G)
            {
                reference.Add(va + o, new Page(opa + o, leaf, prot));
            }
        });
    }

    private static void DoUnmap(PageTableHarness h, Dictionary<ulong, Page> reference, ulong iova, ulong size, string context)
    {
        // Succeeds when every page is mapped and no leaf is larger than the piece it falls in.
        var ok = true;
        PageSizeSelector.Split(h.Table.PageSizeBitmap, iova, iova, size, (va, _, piece) =>
        {
            for (var o = 0UL; o < piece && ok; o += h.G)
            {
                ok = reference.TryGetValue(va + o, out var page) && page.LeafSize <= piece;
            }
        });

        if (!ok)
        {
            var before = h.Snapshot();
            var e = Assert.Throws<IoPageTableException>(() => h.Table.Unmap(iova, size, h.Flush.NewGather()));
            Assert.True(e.Reason is IoPageTableError.NotMapped or IoPageTableError.BlockSplit, context);
            Assert.Equal(before, h.Snapshot());
            return;
        }

        var walks = h.Flush.WalkFlushes.Count;
        var leaves = h.Flush.LeafInvalidations.Count;
        Assert.Equal(size, h.Unmap(iova, size));
        var ranges = h.Flush.WalkFlushes.Skip(walks).Select(w => (w.Iova, w.Size))
            .Concat(h.Flush.LeafInvalidations.Skip(leaves).Select(l => (Iova: l.Start, l.Size))).ToList();
        for (var p = iova; p < iova + size; p += h.G)
        {
            Assert.True(reference.Remove(p), context);
            Assert.True(ranges.Any(r => p >= r.Iova && p - r.Iova < r.Size), $"page 0x{p:X} was not invalidated; {context}");
        }
    }

    private static void CheckPages(PageTableHarness h, Dictionary<ulong, Page> reference, ulong start, ulong size, Random rng, string context)
    {
        CheckPage(h, reference, start, context);
        CheckPage(h, reference, start + size - h.G, context);
        for (var i = 0; i < 16; i++)
        {
            CheckPage(h, reference, start + ((ulong)rng.NextInt64(0, (long)(size / h.G)) * h.G), context);
        }
    }

    private static void CheckPage(PageTableHarness h, Dictionary<ulong, Page> reference, ulong iova, string context)
    {
        var offset = 8 * (iova / h.G % (h.G / 8));
        var walk = h.Walk(iova + offset);
        var mapped = h.Table.TryIovaToPhys(iova + offset, out var pa);
        if (!reference.TryGetValue(iova, out var page))
        {
            Assert.False(mapped, $"0x{iova:X} should not be mapped; {context}");
            Assert.False(walk.Ok, $"walker translates unmapped 0x{iova:X}; {context}");
            return;
        }

        Assert.True(mapped, $"0x{iova:X} should be mapped; {context}");
        Assert.True(walk.Ok, $"walker faulted {walk.Fault} at 0x{iova:X}; {context}");
        Assert.Equal(page.Pa + offset, pa);
        Assert.Equal(page.Pa + offset, walk.OutputAddress);
        Assert.Equal(BitOperations.Log2(page.LeafSize), walk.BlockShift);
        Assert.Equal((page.Prot & IommuProt.Write) != 0, walk.Permissions.HasFlag(Permissions.WritePrivileged));
    }
}
