using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Memory;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>
/// The page table reads and writes its descriptors through direct page views when the memory has
/// them: it must build exactly the tables that bus accesses build, also when freed table frames
/// come back at other levels (the views remembered per level then point at reused storage).
/// </summary>
public sealed class TablePageViewsTests
{
    private const ulong Pa = 0x80_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    public static TheoryData<IoPageTableFormat, Granule> Formats => PageTableHarness.AllFormats();

    [Theory]
    [MemberData(nameof(Formats))]
    public void Views_and_bus_accesses_build_the_same_tables_through_frame_reuse(IoPageTableFormat format, Granule granule)
    {
        var config = new IoPageTableConfig(format, granule, 48, 48, coherentWalk: true);
        var direct = new Side(config, new SparsePhysicalMemory());
        var busOnly = new Side(config, null);
        Assert.NotNull(((Architecture.Memory.IPhysicalMemory)direct.Memory).PageWords(0x1000));
        Assert.Null(((Architecture.Memory.IPhysicalMemory)busOnly.Memory).PageWords(0x1000));

        ulong g = config.GranuleBytes, block = 1UL << granule.LevelShift(2);
        var random = new Random(7);
        var mapped = new List<(ulong Iova, ulong Size)>();
        for (var step = 0; step < 300; step++)
        {
            if (mapped.Count > 0 && random.Next(3) == 0)
            {
                // Unmap a whole block-sized range now and then: that frees a table, whose frame the
                // reusing allocator hands out again, possibly for another level.
                var (iova, size) = mapped[random.Next(mapped.Count)];
                var whole = size == block ? (iova, size) : (iova & ~(block - 1), block);
                if (mapped.All(m => m.Iova + m.Size <= whole.Item1 || m.Iova >= whole.Item1 + whole.Item2 || (m.Iova >= whole.Item1 && m.Iova + m.Size <= whole.Item1 + whole.Item2))
                    && FullyMapped(mapped, whole.Item1, whole.Item2, g))
                {
                    direct.Unmap(whole.Item1, whole.Item2);
                    busOnly.Unmap(whole.Item1, whole.Item2);
                    mapped.RemoveAll(m => m.Iova >= whole.Item1 && m.Iova < whole.Item1 + whole.Item2);
                }
                else
                {
                    direct.Unmap(iova, size);
                    busOnly.Unmap(iova, size);
                    mapped.Remove((iova, size));
                }
            }
            else
            {
                var slot = (ulong)random.Next(16) * block;
                var size = random.Next(4) == 0 ? block : g * (ulong)(1 + random.Next(4));
                var iova = size == block ? slot : slot + ((ulong)random.Next(8) * 4 * g);
                if (mapped.Any(m => m.Iova < iova + size && iova < m.Iova + m.Size))
                {
                    continue;
                }

                direct.Table.Map(iova, Pa + iova, size, Rw);
                busOnly.Table.Map(iova, Pa + iova, size, Rw);
                mapped.Add((iova, size));
            }

            Assert.Equal(busOnly.Table.TablePages, direct.Table.TablePages);
        }

        Assert.True(direct.Allocator.Reused > 0, "the sequence never reused a freed table frame");
        for (var iova = 0UL; iova < 16 * block; iova += g)
        {
            var expected = busOnly.Table.TryIovaToPhys(iova, out var busPa);
            Assert.Equal(expected, direct.Table.TryIovaToPhys(iova, out var directPa));
            Assert.Equal(busPa, directPa);
            Assert.Equal(mapped.Any(m => iova >= m.Iova && iova < m.Iova + m.Size), expected);
        }

        foreach (var (address, bytes) in direct.Allocator.LiveTables)
        {
            for (var offset = 0UL; offset < bytes; offset += 8)
            {
                Assert.Equal(busOnly.Memory.Read64(address + offset), direct.Memory.Read64(address + offset));
            }
        }

    }

    private static bool FullyMapped(List<(ulong Iova, ulong Size)> mapped, ulong start, ulong size, ulong g)
    {
        for (var a = start; a < start + size; a += g)
        {
            if (!mapped.Any(m => a >= m.Iova && a < m.Iova + m.Size))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Side
    {
        public Side(IoPageTableConfig config, SparsePhysicalMemory? memory)
        {
            var sparse = memory ?? new SparsePhysicalMemory();
            Memory = memory is null ? new RecordingMemory(sparse) : sparse;
            Allocator = new ReusingAllocator();
            Table = new IoPageTable(config, Memory, Allocator, new RecordingFlushOps([]));
        }

        public Architecture.Memory.IPhysicalMemory Memory { get; }

        public ReusingAllocator Allocator { get; }

        public IoPageTable Table { get; }

        public void Unmap(ulong iova, ulong size)
        {
            var gather = new IotlbGather(_ => { });
            Table.Unmap(iova, size, gather);
        }
    }

    /// <summary>Hands the most recently freed frame out first, so freed tables come back.</summary>
    private sealed class ReusingAllocator : IDmaAllocator
    {
        private readonly Stack<ulong> free = new();
        private readonly Dictionary<ulong, ulong> live = [];
        private ulong next = 0x4000_0000;

        public int Reused { get; private set; }

        public IEnumerable<(ulong Address, ulong Bytes)> LiveTables => live.Select(kv => (kv.Key, kv.Value));

        public ulong Allocate(ulong bytes, ulong alignment)
        {
            ulong address;
            if (free.Count > 0 && bytes <= 0x10000)
            {
                address = free.Pop();
                Reused++;
            }
            else
            {
                address = next;
                next += Math.Max(bytes, 0x10000);
            }

            live[address] = bytes;
            return address;
        }

        public void Free(ulong address, ulong bytes)
        {
            live.Remove(address);
            if (bytes <= 0x10000)
            {
                free.Push(address);
            }
        }
    }
}
