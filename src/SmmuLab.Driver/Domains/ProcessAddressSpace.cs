using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Domains;

/// <summary>
/// A process's address space (the kernel's <c>mm_struct</c>) for SVA: its own stage-1 page table
/// (standing in for the CPU's), whose changes notify every SVA domain bound to it, as the mmu
/// notifier's <c>arch_invalidate_secondary_tlbs</c> does: a non-leaf invalidation of the range with
/// the page size as granule.
/// </summary>
public sealed class ProcessAddressSpace : IIoPageTableFlushOps, IDisposable
{
    public const ulong PageSize = 4096;

    private readonly object gate = new();
    private readonly List<SvaDomain> bound = [];
    private readonly IotlbGather gather;

    public ProcessAddressSpace(string name, DriverPlatform platform, int outputBits = 48)
    {
        Name = name;
        gather = new IotlbGather(g => Notify(g.Start, g.Size));
        Table = new IoPageTable(new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, outputBits, coherentWalk: true),
            platform.Memory, platform.Allocator, this);
    }

    public string Name { get; }

    /// <summary>The page table the SMMU walks for every PASID bound to this address space.</summary>
    internal IoPageTable Table { get; }

    /// <summary>The table base (the CD's TTB0, the process's pgd).</summary>
    public ulong Pgd => Table.TableBase;

    /// <summary>Invalidation notifications sent to bound domains.</summary>
    public int Notifications { get; private set; }

    public void Map(ulong va, ulong pa, ulong size, bool writable = true)
    {
        lock (gate)
        {
            Table.Map(va, pa, size, IommuProt.Read | IommuProt.Cache | (writable ? IommuProt.Write : 0));
        }
    }

    /// <summary>munmap: clears the PTEs, then notifies every bound SVA domain of the range.</summary>
    public ulong Unmap(ulong va, ulong size)
    {
        lock (gate)
        {
            gather.Reset();
            var n = Table.Unmap(va, size, gather);
            gather.Sync();
            return n;
        }
    }

    public void Dispose() => Table.Dispose();

    internal void Bind(SvaDomain domain)
    {
        lock (gate)
        {
            bound.Add(domain);
        }
    }

    internal void Unbind(SvaDomain domain)
    {
        lock (gate)
        {
            bound.Remove(domain);
        }
    }

    void IIoPageTableFlushOps.FlushWalk(ulong iova, ulong size, ulong granule) => Notify(iova, size);

    void IIoPageTableFlushOps.AddPage(IotlbGather g, ulong iova, ulong granule) => g.AddPage(iova, granule);

    private void Notify(ulong start, ulong size)
    {
        Notifications++;
        foreach (var d in bound)
        {
            d.InvalidateRange(start, size, PageSize, leaf: false);
        }
    }
}
