using System.Numerics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Guest;

/// <summary>
/// A guest kernel's stage-1 domain behind its vSMMU: the guest's own LPAE tables (IOVA to IPA)
/// and a one-entry CD table (CD 0: TTB0, the guest's ASID), both in guest memory, and the guest
/// STE that points at that CD table by IPA (Config = stage 1, EATS asking for ATS). The host
/// installs that STE nested over the VM's stage 2 (<see cref="Domains.NestedDomain"/>).
/// <see cref="Unmap"/> invalidates as the guest's SMMUv3 driver does: TLBI_NH_VA of the range with
/// the guest's ASID (VMID 0: the guest does not know its VMID), CMD_SYNC, then ATC_INV for every
/// attached virtual StreamID with ATS, CMD_SYNC, through <see cref="Queue"/>.
/// </summary>
public sealed class GuestStage1Domain : IIoPageTableFlushOps, IDisposable
{
    private readonly Lock gate = new();
    private readonly GuestMemory memory;
    private readonly IotlbGather gather;
    private readonly ulong[] guestSte = new ulong[Ste.Dwords];
    private readonly SortedDictionary<uint, bool> streams = [];
    private readonly bool rangeInvalidation;
    private IGuestCommandQueue queue;
    private bool disposed;

    /// <param name="name">The domain's name.</param>
    /// <param name="memory">The VM's memory: tables and the CD table are allocated there.</param>
    /// <param name="asid">The guest's ASID for this domain.</param>
    /// <param name="ipaBits">The VM's IPA size (the output size of the guest's tables).</param>
    /// <param name="features">The vSMMU's features as the CD builder needs them.</param>
    /// <param name="rangeInvalidation">The vSMMU advertises range invalidation (IDR3.RIL).</param>
    /// <param name="queue">Where the guest's commands go.</param>
    public GuestStage1Domain(string name, GuestMemory memory, ushort asid, int ipaBits, in EntryFeatures features, bool rangeInvalidation,
        IGuestCommandQueue queue)
    {
        Name = name;
        Asid = asid;
        this.memory = memory;
        this.queue = queue;
        this.rangeInvalidation = rangeInvalidation;
        gather = new IotlbGather(Sync);
        var config = new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, inputBits: 48, outputBits: ipaBits, coherentWalk: true);
        PageTable = new IoPageTable(config, memory, memory, this);
        CdTableIpa = memory.Allocate(Cd.Bytes, 64);

        var c = PageTable.Stage1Control;
        Span<ulong> cd = stackalloc ulong[Cd.Dwords];
        CdBuilder.MakeS1(cd, features, new Stage1Config(c.Ttbr, new TcrConfig(c.T0SZ, c.TG0, c.IRGN0, c.ORGN0, c.SH0, c.IPS), c.Mair, asid), stallEnabled: false);
        for (var i = Cd.Dwords - 1; i >= 0; i--)
        {
            memory.Write64(CdTableIpa + ((ulong)i * 8), cd[i]);
        }

        guestSte[0] = Ste.V.Make(1) | Ste.Config.Make(SteConfig.S1Translate) | Ste.S1Fmt.Make(S1Fmt.Linear)
            | (CdTableIpa & EntryUsedBits.S1ContextPtrMask) | Ste.S1CDMax.Make(0);
        guestSte[1] = Ste.S1DSS.Make(S1Dss.Ssid0) | Ste.S1CIR.Make(Cacheability.WriteBackAllocate) | Ste.S1COR.Make(Cacheability.WriteBackAllocate)
            | Ste.S1CSH.Make(Shareability.Inner) | Ste.EATS.Make(Eats.Trans);
    }

    public string Name { get; }

    public ushort Asid { get; }

    /// <summary>The guest's tables (IOVA to IPA), in guest memory.</summary>
    internal IoPageTable PageTable { get; }

    /// <summary>IPA of the guest's CD table (the STE's S1ContextPtr).</summary>
    public ulong CdTableIpa { get; }

    /// <summary>The guest STE the VMM hands to the host.</summary>
    public ReadOnlySpan<ulong> GuestSte => guestSte;

    /// <summary>Where the guest's commands go; replaceable (a test wraps it to break the guest).</summary>
    public IGuestCommandQueue Queue
    {
        get => Volatile.Read(ref queue);
        set => Volatile.Write(ref queue, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>The virtual StreamIDs attached, and whether the guest invalidates their ATCs.</summary>
    public IReadOnlyDictionary<uint, bool> Streams
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<uint, bool>(streams);
            }
        }
    }

    /// <summary>The guest attached a device (by its virtual StreamID) to this domain.</summary>
    public void AddStream(uint virtualSid, bool ats)
    {
        lock (gate)
        {
            streams[virtualSid] = ats;
        }
    }

    /// <summary>The guest moved a device away: its ATC is invalidated, and the domain forgets it.</summary>
    public void RemoveStream(uint virtualSid)
    {
        lock (gate)
        {
            if (streams.Remove(virtualSid, out var ats) && ats)
            {
                Queue.IssueWithSync([InvalidationCommands.AtcInv(virtualSid, 0, 0, 0)]);
            }
        }
    }

    /// <summary>Maps [iova, iova + size) to IPAs [ipa, ipa + size).</summary>
    public void Map(ulong iova, ulong ipa, ulong size, IommuProt prot)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            PageTable.Map(iova, ipa, size, prot);
        }
    }

    /// <summary>Unmaps [iova, iova + size) and invalidates it before returning.</summary>
    public ulong Unmap(ulong iova, ulong size)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            gather.Reset();
            var unmapped = PageTable.Unmap(iova, size, gather);
            gather.Sync();
            return unmapped;
        }
    }

    /// <summary>Invalidates everything of the ASID and the attached ATCs.</summary>
    public void FlushAll()
    {
        lock (gate)
        {
            Invalidate(0, 0, 0, leaf: false);
        }
    }

    /// <summary>The IPA <paramref name="iova"/> maps to, or null.</summary>
    public ulong? IovaToIpa(ulong iova)
    {
        lock (gate)
        {
            return PageTable.TryIovaToPhys(iova, out var ipa) ? ipa : null;
        }
    }

    void IIoPageTableFlushOps.FlushWalk(ulong iova, ulong size, ulong granule) => Invalidate(iova, size, granule, leaf: false);

    void IIoPageTableFlushOps.AddPage(IotlbGather g, ulong iova, ulong granule) => g.AddPage(iova, granule);

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            PageTable.Dispose();
            memory.Free(CdTableIpa, Cd.Bytes);
        }
    }

    private void Sync(IotlbGather g)
    {
        if (!g.IsEmpty)
        {
            Invalidate(g.Start, g.Size, g.PageSize, leaf: true);
        }

        g.ReleaseFreelist(memory);
    }

    /// <summary>TLBIs of the range (all of the ASID when size is 0) and CMD_SYNC; then the ATCs and CMD_SYNC.</summary>
    private void Invalidate(ulong iova, ulong size, ulong granule, bool leaf)
    {
        var q = Queue;
        var pageShift = rangeInvalidation ? BitOperations.TrailingZeroCount(PageTable.PageSizeBitmap) : 0;
        var tlbis = new List<Command>();
        if (size == 0 || InvalidationCommands.UseWholeTag(rangeInvalidation, rangeFallback: false, iova, size, granule, pageShift, leaf))
        {
            tlbis.Add(Command.TlbiNhAsid(0, Asid));
        }
        else
        {
            var template = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, Asid, 0, leaf);
            tlbis.AddRange(InvalidationCommands.Split(template, leaf, iova, size, granule, pageShift).ToList());
        }

        q.IssueWithSync(tlbis.ToArray());
        var atcs = streams.Where(s => s.Value).Select(s => InvalidationCommands.AtcInv(s.Key, 0, iova, size)).ToArray();
        if (atcs.Length > 0)
        {
            q.IssueWithSync(atcs);
        }
    }
}
