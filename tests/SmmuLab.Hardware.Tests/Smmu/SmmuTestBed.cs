using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Tests.Configuration;
using SmmuLab.Hardware.Tests.Translation;
using SmmuLab.Hardware.Translation;
using SmmuLab.TestSupport.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>Records the wired interrupts and wake-up events an SMMU raises.</summary>
internal sealed class SignalLog : IInterruptSink, IEventSignal
{
    private readonly List<SmmuInterrupt> lines = [];
    private int sev;

    public int Sev => Volatile.Read(ref sev);

    public int Count(SmmuInterrupt line)
    {
        lock (lines)
        {
            return lines.Count(l => l == line);
        }
    }

    public void Raise(SmmuInterrupt line)
    {
        lock (lines)
        {
            lines.Add(line);
        }
    }

    public void SendEvent() => Interlocked.Increment(ref sev);
}

/// <summary>
/// Test-side software for one SMMU, talking to it only through its registers and memory: a linear
/// stream table, a command queue, an event queue, CDs, and stage-1/stage-2 page tables written by
/// <see cref="PageTableBuilder"/>. RAM is [0, 4 GiB); <see cref="Unbacked"/> is outside it.
/// </summary>
internal sealed class SmmuTestBed : IDisposable
{
    public const ulong RamEnd = 0x1_0000_0000;
    public const ulong StreamTable = 0x0010_0000;
    public const ulong CmdQueue = 0x0020_0000;
    public const ulong EventQueue = 0x0030_0000;
    public const ulong CdBase = 0x0040_0000;
    public const ulong SyncWord = 0x0060_0000;
    public const ulong MsiTarget = 0x0060_1000;
    public const ulong S1Tables = 0x0100_0000;
    public const ulong S2Tables = 0x0200_0000;
    public const ulong Data = 0x4000_0000;
    public const ulong Unbacked = 0x10_0000_0000;
    public const int SidBits = 8;
    public const int CmdqLog2 = 6;
    public const uint RecInvSid = 1u << 1;

    private readonly CommandRing cmdq;
    private uint eventCons;

    public SmmuTestBed(SmmuFeatures? features = null, ConsumptionMode mode = ConsumptionMode.Inline, int eventqLog2 = 5,
        ProductIdentity? product = null, bool bringUp = true, uint cr2 = RecInvSid, bool atsCheck = false,
        Func<SmmuDeviceOptions, SmmuDeviceOptions>? options = null)
    {
        EventqLog2 = eventqLog2;
        cmdq = new CommandRing(Memory, CmdQueue, CmdqLog2);
        var deviceOptions = new SmmuDeviceOptions { Features = features ?? new SmmuFeatures(), Mode = mode, Product = product ?? ProductIdentity.Generic };
        Device = new SmmuDevice(options is null ? deviceOptions : options(deviceOptions), Memory, Signals, Signals);
        S1 = new PageTableBuilder(Memory, Granule.Size4K, 39, 1, S1Tables);
        S2 = new PageTableBuilder(Memory, Granule.Size4K, 39, 1, S2Tables);
        if (bringUp)
        {
            BringUp(cr2, atsCheck);
        }
    }

    public SparsePhysicalMemory Memory { get; } = new([(0UL, RamEnd)]);

    public SignalLog Signals { get; } = new();

    public SmmuDevice Device { get; }

    public IMmio Mmio => Device;

    public int EventqLog2 { get; }

    /// <summary>Stage-1 tables shared by every stage-1 stream (39-bit VA, 4K, start level 1).</summary>
    public PageTableBuilder S1 { get; }

    /// <summary>Stage-2 tables shared by every stage-2 stream (39-bit IPA, 4K, start level 1).</summary>
    public PageTableBuilder S2 { get; }

    /// <summary>The producer index software has written (or will write) to CMDQ_PROD.</summary>
    public uint Prod => cmdq.Prod;

    public uint Cons => Mmio.Read32(SmmuRegister.CMDQ_CONS) & QueuePointer.WrapIndexMask(CmdqLog2);

    public CommandError ConsError => (CommandError)QueuePointer.ERR.Get(Mmio.Read32(SmmuRegister.CMDQ_CONS));

    public uint ActiveErrors => Mmio.Read32(SmmuRegister.GERROR) ^ Mmio.Read32(SmmuRegister.GERRORN);

    public static ulong CdAddress(uint sid, uint ssid = 0) => CdBase + (sid * 0x1000UL) + (ssid * 64UL);

    public void Dispose() => Device.Dispose();

    /// <summary>Programs tables and queues, enables the command queue, invalidates everything, then EVENTQEN and SMMUEN.</summary>
    public void BringUp(uint cr2 = RecInvSid, bool atsCheck = false)
    {
        WriteCr0(0);
        Mmio.Write32(SmmuRegister.CR2, cr2);
        Mmio.Write64(SmmuRegister.STRTAB_BASE, StrtabBase.ADDR.InsertAddress(0, StreamTable));
        Mmio.Write32(SmmuRegister.STRTAB_BASE_CFG, (uint)StrtabBase.LOG2SIZE.Make(SidBits));
        Mmio.Write64(SmmuRegister.CMDQ_BASE, QueueBase.ADDR.InsertAddress(0, CmdQueue) | QueueBase.LOG2SIZE.Make(CmdqLog2));
        Mmio.Write32(SmmuRegister.CMDQ_PROD, 0);
        Mmio.Write32(SmmuRegister.CMDQ_CONS, 0);
        Mmio.Write64(SmmuRegister.EVENTQ_BASE, QueueBase.ADDR.InsertAddress(0, EventQueue) | QueueBase.LOG2SIZE.Make((ulong)EventqLog2));
        Mmio.Write32(SmmuRegister.EVENTQ_PROD, 0);
        Mmio.Write32(SmmuRegister.EVENTQ_CONS, 0);
        cmdq.Reset();
        eventCons = 0;
        var en = (uint)Cr0.CMDQEN.Make(1);
        WriteCr0(en);
        Run(Command.CfgiAll(), Command.TlbiNsnhAll());
        en |= (uint)Cr0.EVENTQEN.Make(1);
        WriteCr0(en);
        if (atsCheck)
        {
            en |= (uint)Cr0.ATSCHK.Make(1);
        }

        WriteCr0(en | (uint)Cr0.SMMUEN.Make(1));
    }

    public void WriteCr0(uint value)
    {
        Mmio.Write32(SmmuRegister.CR0, value);
        Assert.Equal(value, Mmio.Read32(SmmuRegister.CR0ACK));
    }

    public uint Cr0Value => Mmio.Read32(SmmuRegister.CR0);

    /// <summary>Places a command in the next slot without publishing it.</summary>
    public void Put(in Command c) => cmdq.Put(c);

    /// <summary>Writes CMDQ_PROD and waits until the SMMU has consumed up to it or stopped on an error.</summary>
    public CommandError Publish()
    {
        Mmio.Write32(SmmuRegister.CMDQ_PROD, Prod);
        return WaitForConsumer();
    }

    public CommandError WaitForConsumer()
    {
        var sw = Stopwatch.StartNew();
        while (Cons != Prod && (ActiveErrors & GError.CMDQ_ERR) == 0)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new TimeoutException($"CONS 0x{Cons:x} never reached PROD 0x{Prod:x}");
            }

            Thread.Yield();
        }

        return (ActiveErrors & GError.CMDQ_ERR) != 0 ? ConsError : CommandError.CERROR_NONE;
    }

    /// <summary>Queues the commands and a CMD_SYNC (CS = NONE), publishes them and returns the command error, if any.</summary>
    public CommandError Submit(params Command[] commands)
    {
        cmdq.PutAll(commands);
        Put(Command.Sync(SyncCompletion.SIG_NONE));
        return Publish();
    }

    /// <summary>As <see cref="Submit"/>, asserting that every command succeeded.</summary>
    public void Run(params Command[] commands) => Assert.Equal(CommandError.CERROR_NONE, Submit(commands));

    /// <summary>Acknowledges every active global error (GERRORN = GERROR).</summary>
    public void AcknowledgeErrors() => Mmio.Write32(SmmuRegister.GERRORN, Mmio.Read32(SmmuRegister.GERROR));

    /// <summary>Rewrites the command at queue index <paramref name="index"/>.</summary>
    public void Overwrite(uint index, in Command c) => cmdq.Overwrite(index, c);

    /// <summary>Reads and consumes every event record; acknowledges an overflow.</summary>
    public List<EventRecord> DrainEvents()
    {
        var events = new List<EventRecord>();
        var eventProd = Mmio.Read32(SmmuRegister.EVENTQ_PROD);
        while (!QueuePointer.IsEmpty(eventProd, eventCons, EventqLog2))
        {
            var slot = EventQueue + (QueuePointer.Index(eventCons, EventqLog2) * 32UL);
            events.Add(EventRecord.ReadFrom(Memory, slot));
            eventCons = QueuePointer.Increment(eventCons, EventqLog2);
        }

        Mmio.Write32(SmmuRegister.EVENTQ_CONS, eventCons | (eventProd & QueuePointer.OverflowFlag));
        return events;
    }

    /// <summary>Drains the queue and returns its only record.</summary>
    public EventRecord SingleEvent() => Assert.Single(DrainEvents());

    public void WriteSte(uint sid, ulong[] ste)
    {
        var pa = StreamTable + (sid * 64UL);
        for (var i = Ste.Dwords - 1; i >= 0; i--)
        {
            Memory.Write64(pa + ((ulong)i * 8), i < ste.Length ? ste[i] : 0);
        }
    }

    public void WriteCd(ulong pa, ulong[] cd)
    {
        for (var i = Cd.Dwords - 1; i >= 0; i--)
        {
            Memory.Write64(pa + ((ulong)i * 8), cd[i]);
        }
    }

    /// <summary>A stage-1 stream: CD 0 (ASID <paramref name="asid"/>) over <see cref="S1"/>, made visible with CFGI_STE.</summary>
    public ulong[] ConfigureStage1(uint sid, ushort asid = 1, uint eats = 0, Action<ulong[]>? cd = null, Action<ulong[]>? ste = null)
    {
        var image = Images.MakeCd(S1.Root, asid);
        cd?.Invoke(image);
        WriteCd(CdAddress(sid), image);
        var s = Images.Stage1(CdAddress(sid));
        Ste.EATS.Set(s, eats);
        ste?.Invoke(s);
        WriteSte(sid, s);
        Run(Command.CfgiSte(sid, leaf: true));
        return s;
    }

    /// <summary>A stage-2 stream over <see cref="S2"/>, VMID <paramref name="vmid"/>.</summary>
    public ulong[] ConfigureStage2(uint sid, ushort vmid = 1, uint eats = 0, Action<ulong[]>? ste = null)
    {
        var s = Images.Stage2(S2.Root, vmid);
        Ste.EATS.Set(s, eats);
        ste?.Invoke(s);
        WriteSte(sid, s);
        Run(Command.CfgiSte(sid, leaf: true));
        return s;
    }

    /// <summary>A nested stream; the CD and stage-1 tables are at identical IPAs and PAs (2 MiB stage-2 blocks) unless told otherwise.</summary>
    public ulong[] ConfigureNested(uint sid, ushort asid = 1, ushort vmid = 1, bool mapStage1Tables = true, uint eats = 0)
    {
        S2.Map(CdBase, CdBase, 2, PageTableBuilder.LeafS2);
        if (mapStage1Tables)
        {
            S2.Map(S1Tables, S1Tables, 2, PageTableBuilder.LeafS2);
        }

        WriteCd(CdAddress(sid), Images.MakeCd(S1.Root, asid));
        var s = Images.Nested(CdAddress(sid), S2.Root);
        Ste.S2VMID.Set(s, vmid);
        Ste.EATS.Set(s, eats);
        WriteSte(sid, s);
        Run(Command.CfgiSte(sid, leaf: true));
        return s;
    }

    public void MapS1(ulong va, ulong pa, bool writable = true, bool accessFlag = true) =>
        S1.Map(va, pa, 3, Descriptor.ApUnprivileged | Descriptor.NotGlobal
            | (accessFlag ? Descriptor.AccessFlag : 0) | (writable ? 0 : Descriptor.ApReadOnly));

    public void MapS2(ulong ipa, ulong pa, bool writable = true) =>
        S2.Map(ipa, pa, 3, Descriptor.AccessFlag | Descriptor.S2ApRead | (writable ? Descriptor.S2ApWrite : 0));

    public void UnmapS1(ulong va) => S1.WriteLeaf(va, 3, 0);

    public void UnmapS2(ulong ipa) => S2.WriteLeaf(ipa, 3, 0);

    public TransactionResult Read(uint sid, ulong address, uint? ssid = null) => Device.Translate(sid, ssid, address, AccessKind.Read);

    public TransactionResult Write(uint sid, ulong address, uint? ssid = null) => Device.Translate(sid, ssid, address, AccessKind.Write);
}
