using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Domains;

/// <summary>
/// A stage-1 or stage-2 paging domain (Linux <c>arm_smmu_domain</c> with an io-pgtable), possibly a
/// nesting parent. Finalised on its first attach: the granule, the ASID or VMID, and the LPAE tables
/// are chosen for that SMMU. Map and unmap of one granule under existing tables (the DMA API's
/// usual call) take no lock, as io-pgtable-arm takes none; every other map and unmap is serialised
/// by the domain. Unmap gathers leaf invalidations and syncs them once (iotlb_sync), and a freed
/// table is walk-flushed first.
/// </summary>
/// <remarks>
/// The unlocked calls rely on the DMA API's rule that a caller maps and unmaps only IOVAs it owns
/// (see <c>IoPageTable.SinglePage.cs</c>): two CPUs never write one leaf, and no table is removed
/// while another CPU's page lies inside it. A caller that breaks the rule is refused as before
/// when the compare-and-swap tells (two maps of one IOVA), and otherwise races, as it does in Linux.
/// </remarks>
public sealed class PagingDomain : InvalidationDomain, IIoPageTableFlushOps
{
    private readonly object gate = new();
    private readonly ushort? pinnedTag;
    private readonly IotlbGather gather;
    private IoPageTable? pageTable;
    private ushort tag;

    internal PagingDomain(string name, DomainKind kind, IommuSystem system, ushort? pinnedTag)
        : base(name, kind, system)
    {
        if (kind is not (DomainKind.S1 or DomainKind.S2 or DomainKind.NestParent))
        {
            throw new ArgumentException($"{kind} is not a paging domain kind", nameof(kind));
        }

        this.pinnedTag = pinnedTag;
        gather = new IotlbGather(IotlbSync);
    }

    public override bool IsStage1 => Kind == DomainKind.S1;

    public override ushort Tag => tag;

    public override ulong PageSizeBitmap => PageTable.PageSizeBitmap;

    public bool IsFinalised => pageTable is not null;

    /// <summary>The LPAE tables (after finalisation).</summary>
    internal IoPageTable PageTable => Volatile.Read(ref pageTable) ?? throw new InvalidOperationException($"domain {Name} is not attached yet");

    public override void FinaliseFor(SmmuDriver smmu)
    {
        lock (gate)
        {
            var f = smmu.Features;
            if ((IsStage1 && !f.Stage1) || (!IsStage1 && !f.Stage2) || (IsNestParent && !f.Nesting))
            {
                // Name the erratum when a workaround took away what this domain needs (the hardware has it).
                var why = smmu.Workarounds.Where(w => w.Contains("nesting disabled", StringComparison.Ordinal) && IsNestParent).ToList();
                throw new DomainAttachException($"{smmu.Name} cannot hold a {Kind} domain (stage 1: {f.Stage1}, stage 2: {f.Stage2}, nesting: {f.Nesting})"
                    + (why.Count > 0 ? $"; {string.Join("; ", why)}" : string.Empty));
            }

            if (pageTable is { } existing)
            {
                if ((f.PageSizeBitmap & (1UL << existing.Config.Granule.Shift())) == 0 || f.OutputBits < existing.Config.OutputBits
                    || (IsStage1 ? f.AsidBits : f.VmidBits) < 16 && tag > 0xFF)
                {
                    throw new DomainAttachException($"domain {Name} was finalised for {Owner!.Name} and does not fit {smmu.Name}");
                }

                return;
            }

            var granule = (f.PageSizeBitmap & (1UL << 12)) != 0 ? Granule.Size4K
                : (f.PageSizeBitmap & (1UL << 14)) != 0 ? Granule.Size16K : Granule.Size64K;
            var oas = Math.Min(f.OutputBits, 48);
            var config = new IoPageTableConfig(IsStage1 ? IoPageTableFormat.Stage1 : IoPageTableFormat.Stage2, granule,
                inputBits: IsStage1 ? 48 : oas, outputBits: oas, coherentWalk: f.Coherent);
            var allocator = IsStage1 ? Iommu.Asids : Iommu.Vmids;
            var id = allocator.Allocate(pinnedTag);
            if ((IsStage1 ? f.AsidBits : f.VmidBits) < 16 && id > 0xFF)
            {
                allocator.Free(id);
                throw new DomainAttachException($"{(IsStage1 ? "ASID" : "VMID")} {id} does not fit the 8-bit tags of {smmu.Name}");
            }

            try
            {
                Volatile.Write(ref pageTable, new IoPageTable(config, smmu.Platform.Memory, smmu.Platform.Allocator, this, smmu.Platform.Waiter));
            }
            catch
            {
                allocator.Free(id);
                throw;
            }

            tag = id;
            Owner = smmu;
        }
    }

    /// <summary>Maps [iova, iova + size) to [pa, pa + size) (iommu_map).</summary>
    public void Map(ulong iova, ulong pa, ulong size, IommuProt prot)
    {
        var table = PageTable;
        if (size == table.Config.GranuleBytes && table.TryMapPageUnlocked(iova, pa, prot))
        {
            return;
        }

        lock (gate)
        {
            PageTable.Map(iova, pa, size, prot);
        }
    }

    /// <summary>
    /// Unmaps [iova, iova + size) and invalidates it before returning (iommu_unmap with strict
    /// invalidation): the leaf pages gathered are invalidated with one range and one wait.
    /// </summary>
    /// <remarks>
    /// The final invalidation runs after the domain is released, as Linux's iotlb_sync runs outside
    /// any page-table lock: another CPU's map or unmap of this domain need not wait for this one's
    /// CMD_SYNC. That is safe because the range is still the caller's (nothing else may map it
    /// until this returns) and the leaves are already cleared. When tables were freed, they may be
    /// reused only after the invalidation, so that case keeps the sync under the lock.
    /// </remarks>
    public ulong Unmap(ulong iova, ulong size)
    {
        if (TryUnmapPage(iova, size, deferred: false))
        {
            return size;
        }

        ulong unmapped, start, bytes, pageSize;
        lock (gate)
        {
            gather.Reset();
            unmapped = PageTable.Unmap(iova, size, gather);
            if (gather.Freelist.Count > 0 || gather.IsEmpty)
            {
                gather.Sync();
                return unmapped;
            }

            (start, bytes, pageSize) = (gather.Start, gather.Size, gather.PageSize);
            gather.Reset();
        }

        InvalidateRange(start, bytes, pageSize, leaf: true);
        return unmapped;
    }

    /// <summary>
    /// Unmaps [iova, iova + size) for a flush queue (iommu_unmap_fast with a queued gather, no
    /// iotlb_sync): leaf entries are cleared and nothing is invalidated for them; a removed table
    /// is still walk-flushed at once. <paramref name="freelist"/> receives the table pages whose
    /// freeing waits for the queue's flush (null when none).
    /// </summary>
    public ulong UnmapDeferred(ulong iova, ulong size, out IReadOnlyList<(ulong Address, ulong Bytes)>? freelist)
    {
        freelist = null;
        if (TryUnmapPage(iova, size, deferred: true))
        {
            return size;
        }

        lock (gate)
        {
            gather.Reset();
            gather.Queued = true;
            try
            {
                var unmapped = PageTable.Unmap(iova, size, gather);
                freelist = gather.Freelist.Count > 0 ? [.. gather.Freelist] : null;
                return unmapped;
            }
            finally
            {
                gather.Queued = false;
                gather.Reset();
            }
        }
    }

    /// <summary>
    /// Unmaps [iova, iova + size) when it is one granule and a page maps it under existing tables,
    /// without the domain's lock, and (unless <paramref name="deferred"/>) invalidates it before
    /// returning, as <see cref="Unmap"/> would; false, with nothing changed, for anything else (not
    /// one granule, not mapped, a block, a missing table), which the general path handles.
    /// </summary>
    public bool TryUnmapPage(ulong iova, ulong size, bool deferred)
    {
        var table = PageTable;
        if (size != table.Config.GranuleBytes || !table.TryUnmapPageUnlocked(iova))
        {
            return false;
        }

        if (!deferred)
        {
            // What the gather would hold for this one page: invalidated after the leaf is cleared.
            // A queued gather takes no leaf page, and no table was removed: nothing to invalidate.
            InvalidateRange(iova, size, size, leaf: true);
        }

        return true;
    }

    /// <summary>The physical address <paramref name="iova"/> maps to, or null.</summary>
    /// <remarks>Takes no lock, as Linux's iova_to_phys takes none: the walk reads each descriptor once, atomically.</remarks>
    public ulong? IovaToPhys(ulong iova) =>
        Volatile.Read(ref pageTable) is { } table && table.TryIovaToPhys(iova, out var pa) ? pa : null;

    /// <summary>io-pgtable tlb_flush_walk: a table was removed; invalidate its range including walk caches.</summary>
    void IIoPageTableFlushOps.FlushWalk(ulong iova, ulong size, ulong granule) => InvalidateRange(iova, size, granule, leaf: false);

    /// <summary>io-pgtable tlb_add_page: gather the leaf for the unmap's single sync.</summary>
    void IIoPageTableFlushOps.AddPage(IotlbGather g, ulong iova, ulong granule) => g.AddPage(iova, granule);

    /// <summary>Frees the tables and the tag (the domain must have no attached devices).</summary>
    public void Free()
    {
        lock (gate)
        {
            Iommu.Design.OnDomainFree(this);
            pageTable?.Dispose();
            if (pageTable is not null)
            {
                (IsStage1 ? Iommu.Asids : Iommu.Vmids).Free(tag);
            }

            pageTable = null;
        }
    }

    /// <summary>iommu iotlb_sync: one leaf invalidation for everything gathered, then the freed tables.</summary>
    private void IotlbSync(IotlbGather g)
    {
        if (!g.IsEmpty)
        {
            InvalidateRange(g.Start, g.Size, g.PageSize, leaf: true);
        }

        g.ReleaseFreelist(Owner!.Platform.Allocator);
    }
}

/// <summary>An attach that cannot be done, with the reason.</summary>
public sealed class DomainAttachException(string message) : Exception(message);
