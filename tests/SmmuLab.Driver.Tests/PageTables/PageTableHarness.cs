using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Translation;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>One page table over sparse memory with a recording allocator and flush ops, and the hardware walker.</summary>
internal sealed class PageTableHarness
{
    public PageTableHarness(IoPageTableConfig config, bool dirtyAllocator = false)
    {
        Config = config;
        Allocator = new TestDmaAllocator(Memory, log: Log) { Dirty = dirtyAllocator };
        Flush = new RecordingFlushOps(Log);
        Table = new IoPageTable(config, Memory, Allocator, Flush);
        Walker = new TranslationWalker(Memory);
    }

    public PageTableHarness(IoPageTableFormat format, Granule granule, int inputBits = 48, int outputBits = 48)
        : this(new IoPageTableConfig(format, granule, inputBits, outputBits, coherentWalk: true))
    {
    }

    public static readonly Granule[] Granules = [Granule.Size4K, Granule.Size16K, Granule.Size64K];

    /// <summary>Every granule with both stages, for theories.</summary>
    public static TheoryData<IoPageTableFormat, Granule> AllFormats()
    {
        var data = new TheoryData<IoPageTableFormat, Granule>();
        foreach (var f in new[] { IoPageTableFormat.Stage1, IoPageTableFormat.Stage2 })
        {
            foreach (var g in Granules)
            {
                data.Add(f, g);
            }
        }

        return data;
    }

    public List<string> Log { get; } = [];

    public SparsePhysicalMemory Memory { get; } = new();

    public IoPageTableConfig Config { get; }

    public TestDmaAllocator Allocator { get; }

    public RecordingFlushOps Flush { get; }

    public IoPageTable Table { get; }

    public TranslationWalker Walker { get; }

    public ulong G => Config.GranuleBytes;

    /// <summary>Level-2 block size: 2M, 32M or 512M.</summary>
    public ulong Block => 1UL << Config.Granule.LevelShift(2);

    public WalkParameters Parameters => new(Table.TableBase, Config.Granule, Config.InputBits, Config.StartLevel, Config.OutputBits);

    /// <summary>The hardware walker's translation of <paramref name="iova"/> for a read.</summary>
    public WalkResult Walk(ulong iova) => Config.Format == IoPageTableFormat.Stage1
        ? Walker.WalkStage1(Parameters, iova, AccessKind.Read | AccessKind.Privileged)
        : Walker.WalkStage2(Parameters, iova, AccessKind.Read | AccessKind.Privileged, Architecture.Events.FaultClass.IN);

    /// <summary>Unmaps with a fresh gather and syncs it.</summary>
    public ulong Unmap(ulong iova, ulong size)
    {
        var gather = Flush.NewGather();
        var n = Table.Unmap(iova, size, gather);
        gather.Sync();
        return n;
    }

    /// <summary>Everything a request could change: live allocations and their bytes, and the flush/alloc log length.</summary>
    public string Snapshot(bool includeLog = true)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (address, bytes) in Allocator.Live.OrderBy(kv => kv.Key))
        {
            sb.Append($"[0x{address:X}+0x{bytes:X}]");
            var buffer = new byte[bytes];
            Memory.Read(address, buffer);
            sb.Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(buffer)));
        }

        sb.Append($" tables {Table.TablePages}");
        if (includeLog)
        {
            sb.Append($" log {Log.Count}");
        }

        return sb.ToString();
    }

    /// <summary>Asserts that <paramref name="request"/> throws <paramref name="reason"/> and changes nothing.</summary>
    public void AssertRefused(IoPageTableError reason, Action request)
    {
        var before = Snapshot();
        var e = Assert.Throws<IoPageTableException>(request);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(before, Snapshot());
    }
}
