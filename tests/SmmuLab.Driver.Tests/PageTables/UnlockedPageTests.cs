using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>
/// The one-page map and unmap that run without the owner's lock (io-pgtable-arm's lock-free
/// map/unmap): their fall-backs, their exactness from several threads on one leaf table beside
/// the owner's locked path creating and removing tables, and the race of two maps of one IOVA.
/// </summary>
public sealed class UnlockedPageTests
{
    private const ulong Pa = 0x80_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    [Fact]
    public void Without_every_table_or_on_a_block_the_unlocked_calls_write_nothing_and_decline()
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        ulong g = h.G, b = h.Block;
        var before = h.Snapshot();

        Assert.False(h.Table.TryMapPageUnlocked(b, Pa, Rw)); // no table below the start level yet
        Assert.False(h.Table.TryUnmapPageUnlocked(b));
        Assert.Equal(before, h.Snapshot());

        h.Table.Map(2 * b, Pa, b, Rw); // a level-2 block
        Assert.False(h.Table.TryMapPageUnlocked((2 * b) + g, Pa, Rw));
        Assert.False(h.Table.TryUnmapPageUnlocked((2 * b) + g));
        Assert.Equal(Pa + g, h.Table.IovaToPhys((2 * b) + g));

        h.Table.Map(b, Pa, g, Rw); // a page: its table now exists for the neighbours
        Assert.False(h.Table.TryMapPageUnlocked(b, Pa + g, Rw)); // taken: the locked path refuses it
        Assert.True(h.Table.TryMapPageUnlocked(b + g, Pa + g, Rw));
        Assert.False(h.Table.TryUnmapPageUnlocked(b + (2 * g))); // nothing there
        Assert.False(h.Table.TryUnmapPageUnlocked(b + 8)); // not granule-aligned
        Assert.Throws<IoPageTableException>(() => h.Table.TryMapPageUnlocked(b + (3 * g), Pa + 8, Rw));
        Assert.True(h.Table.TryUnmapPageUnlocked(b + g));
        Assert.False(h.Walk(b + g).Ok);
        Assert.Empty(h.Flush.Pages); // nothing gathered: the caller invalidates the page itself
    }

    [Fact]
    public void Four_threads_on_one_leaf_table_beside_the_locked_path_keep_every_page_exact()
    {
        const int Threads = 4;
        const int Rounds = 4000;
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        ulong g = h.G, b = h.Block;
        var owner = new object();

        // The leaf table every thread works in: its pages interleave (thread t owns index t mod 4),
        // so the threads write neighbouring descriptors of the same cache lines.
        h.Table.Map(0, Pa, g, Rw);
        h.Unmap(0, g);
        var tablesBefore = h.Table.TablePages;
        var failures = new List<string>();
        using var start = new Barrier(Threads + 1);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var round = 0; round < Rounds; round++)
            {
                var iova = (ulong)((round * Threads) + t) % 512 * g;
                var pa = Pa + ((ulong)(t + 1) << 32) + ((ulong)round * g);
                if (!h.Table.TryMapPageUnlocked(iova, pa, Rw) || h.Walk(iova + 16) is not { Ok: true } walk || walk.OutputAddress != pa + 16
                    || !h.Table.TryUnmapPageUnlocked(iova) || h.Walk(iova).Ok)
                {
                    lock (failures)
                    {
                        failures.Add($"thread {t} round {round} iova 0x{iova:X}");
                    }

                    return;
                }
            }
        })).ToList();

        // The owner meanwhile creates and removes tables next door (blocks' worth of pages), under its lock.
        var locked = new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                for (var round = 0; round < 200; round++)
                {
                    lock (owner)
                    {
                        var iova = (1 + ((ulong)round % 8)) * b;
                        h.Table.Map(iova, Pa, b, Rw);
                        h.Table.Map(iova + b + g, Pa, g, Rw);
                        h.Unmap(iova, b);
                        h.Unmap(iova + b + g, g);
                    }
                }
            }
            catch (IoPageTableException e)
            {
                lock (failures)
                {
                    failures.Add($"locked path: {e.Message}");
                }
            }
        });
        workers.ForEach(w => w.Start());
        locked.Start();
        workers.ForEach(w => w.Join());
        locked.Join();

        Assert.Empty(failures);
        for (var i = 0UL; i < 512; i++)
        {
            Assert.False(h.Table.TryIovaToPhys(i * g, out _));
        }

        Assert.True(h.Table.TablePages >= tablesBefore);
        Assert.Equal(h.Table.TablePages, h.Allocator.Live.Count);
    }

    [Fact]
    public void Of_two_unlocked_maps_of_one_IOVA_exactly_one_wins_and_its_page_stays()
    {
        var h = new PageTableHarness(IoPageTableFormat.Stage1, Granule.Size4K);
        var g = h.G;
        h.Table.Map(0, Pa, g, Rw);
        h.Unmap(0, g);
        for (var round = 0; round < 300; round++)
        {
            var iova = (ulong)(round % 512) * g;
            var won = new bool[2];
            using var start = new Barrier(2);
            var racers = Enumerable.Range(0, 2).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                won[t] = h.Table.TryMapPageUnlocked(iova, Pa + ((ulong)t << 32), Rw);
            })).ToList();
            racers.ForEach(r => r.Start());
            racers.ForEach(r => r.Join());

            Assert.True(won[0] ^ won[1], $"round {round}: {won[0]} {won[1]}");
            Assert.Equal(Pa + ((won[0] ? 0UL : 1UL) << 32), h.Table.IovaToPhys(iova));
            Assert.True(h.Table.TryUnmapPageUnlocked(iova));
        }
    }
}
