using SmmuLab.Architecture.Bits;
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
using SmmuLab.Hardware.Translation;

namespace SmmuLab.TestSupport.Smmu;

/// <summary>
/// Test-side software for one SMMU, talking to it only through its registers and memory. It is
/// made of parts a test can also use on their own: a linear stream table written with
/// <see cref="StructureImages"/>, the CMDQ (<see cref="CmdqSubmitter"/> over a <see cref="CommandRing"/>),
/// the event queue (<see cref="EventQueueReader"/>), the interrupt and SEV log (<see cref="SignalLog"/>),
/// and stage-1/stage-2 page tables (<see cref="PageTableBuilder"/>). RAM is [0, 4 GiB);
/// <see cref="Unbacked"/> is outside it. A CMDQV bed builds on it with <c>bringUp: false</c>.
/// </summary>
public sealed class SmmuTestBed : IDisposable
{
    /// <summary>The end of RAM.</summary>
    public const ulong RamEnd = 0x1_0000_0000;

    /// <summary>The linear stream table (64 bytes per StreamID).</summary>
    public const ulong StreamTable = 0x0010_0000;

    /// <summary>The CMDQ ring.</summary>
    public const ulong CmdQueue = 0x0020_0000;

    /// <summary>The event queue ring.</summary>
    public const ulong EventQueue = 0x0030_0000;

    /// <summary>CDs: one 4 KiB page per StreamID, 64 bytes per SubstreamID (<see cref="CdAddress"/>).</summary>
    public const ulong CdBase = 0x0040_0000;

    /// <summary>A word for CMD_SYNC MSIs.</summary>
    public const ulong SyncWord = 0x0060_0000;

    /// <summary>A word for interrupt MSIs.</summary>
    public const ulong MsiTarget = 0x0060_1000;

    /// <summary>Where <see cref="S1"/> allocates its tables.</summary>
    public const ulong S1Tables = 0x0100_0000;

    /// <summary>Where <see cref="S2"/> allocates its tables.</summary>
    public const ulong S2Tables = 0x0200_0000;

    /// <summary>Free for a CMDQV's VCMDQ rings.</summary>
    public const ulong VcmdqRings = 0x0300_0000;

    /// <summary>Data pages tests map.</summary>
    public const ulong Data = 0x4000_0000;

    /// <summary>An address no memory answers.</summary>
    public const ulong Unbacked = 0x10_0000_0000;

    /// <summary>STRTAB_BASE_CFG.LOG2SIZE.</summary>
    public const int SidBits = 8;

    /// <summary>CMDQ_BASE.LOG2SIZE.</summary>
    public const int CmdqLog2 = 6;

    /// <summary>CR2.RECINVSID.</summary>
    public const uint RecInvSid = 1u << 1;

    /// <summary>Makes the device and, unless <paramref name="bringUp"/> is false, brings it up (<see cref="BringUp"/>).</summary>
    public SmmuTestBed(SmmuFeatures? features = null, ConsumptionMode mode = ConsumptionMode.Inline, int eventqLog2 = 5,
        ProductIdentity? product = null, bool bringUp = true, uint cr2 = RecInvSid, bool atsCheck = false,
        Func<SmmuDeviceOptions, SmmuDeviceOptions>? options = null)
    {
        var deviceOptions = new SmmuDeviceOptions { Features = features ?? new SmmuFeatures(), Mode = mode, Product = product ?? ProductIdentity.Generic };
        Device = new SmmuDevice(options is null ? deviceOptions : options(deviceOptions), Memory, Signals, Signals);
        Cmdq = new CmdqSubmitter(Memory, Device, CmdQueue, CmdqLog2);
        Events = new EventQueueReader(Memory, Device, EventQueue, eventqLog2);
        S1 = new PageTableBuilder(Memory, Granule.Size4K, 39, 1, S1Tables);
        S2 = new PageTableBuilder(Memory, Granule.Size4K, 39, 1, S2Tables);
        if (bringUp)
        {
            BringUp(cr2, atsCheck);
        }
    }

    /// <summary>RAM [0, <see cref="RamEnd"/>).</summary>
    public SparsePhysicalMemory Memory { get; } = new([(0UL, RamEnd)]);

    /// <summary>The wired interrupts and SEVs the device raised.</summary>
    public SignalLog Signals { get; } = new();

    /// <summary>The SMMU.</summary>
    public SmmuDevice Device { get; }

    /// <summary>The SMMU's registers.</summary>
    public IMmio Mmio => Device;

    /// <summary>The CMDQ's software side.</summary>
    public CmdqSubmitter Cmdq { get; }

    /// <summary>The event queue's software side.</summary>
    public EventQueueReader Events { get; }

    /// <summary>EVENTQ_BASE.LOG2SIZE.</summary>
    public int EventqLog2 => Events.Log2Entries;

    /// <summary>Stage-1 tables shared by every stage-1 stream (39-bit VA, 4K, start level 1).</summary>
    public PageTableBuilder S1 { get; }

    /// <summary>Stage-2 tables shared by every stage-2 stream (39-bit IPA, 4K, start level 1).</summary>
    public PageTableBuilder S2 { get; }

    /// <summary>The producer index software has written (or will write) to CMDQ_PROD.</summary>
    public uint Prod => Cmdq.Prod;

    /// <summary>CMDQ_CONS without its error field.</summary>
    public uint Cons => Cmdq.Cons;

    /// <summary>The error field of CMDQ_CONS.</summary>
    public CommandError ConsError => Cmdq.ConsError;

    /// <summary>GERROR ^ GERRORN.</summary>
    public uint ActiveErrors => Cmdq.ActiveErrors;

    /// <summary>CR0 as read back.</summary>
    public uint Cr0Value => Mmio.Read32(SmmuRegister.CR0);

    /// <summary>The CD of (<paramref name="sid"/>, <paramref name="ssid"/>).</summary>
    public static ulong CdAddress(uint sid, uint ssid = 0) => CdBase + (sid * 0x1000UL) + (ssid * 64UL);

    /// <inheritdoc/>
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
        Cmdq.Ring.Reset();
        Events.Reset();
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

    /// <summary>Writes CR0 and asserts that CR0ACK follows.</summary>
    public void WriteCr0(uint value)
    {
        Mmio.Write32(SmmuRegister.CR0, value);
        Assert.Equal(value, Mmio.Read32(SmmuRegister.CR0ACK));
    }

    /// <summary>Sets one CR0 bit (<paramref name="bit"/>, a one-bit <see cref="Cr0"/> field), keeping the others, and asserts that CR0ACK follows.</summary>
    public void SetCr0(Field bit) => WriteCr0(Cr0Value | (uint)bit.Make(1));

    /// <summary>Clears one CR0 bit, keeping the others, and asserts that CR0ACK follows.</summary>
    public void ClearCr0(Field bit) => WriteCr0(Cr0Value & ~(uint)bit.Make(1));

    /// <summary>Places a command in the next slot without publishing it.</summary>
    public void Put(in Command c) => Cmdq.Ring.Put(c);

    /// <summary>Writes CMDQ_PROD and waits until the SMMU has consumed up to it or stopped on an error.</summary>
    public CommandError Publish() => Cmdq.Publish();

    /// <summary>Waits until CONS reaches PROD or CMDQ_ERR is active; returns the command error, if any.</summary>
    public CommandError WaitForConsumer() => Cmdq.WaitForConsumer();

    /// <summary>Queues the commands and a CMD_SYNC (CS = NONE), publishes them and returns the command error, if any.</summary>
    public CommandError Submit(params Command[] commands) => Cmdq.Submit(commands);

    /// <summary>As <see cref="Submit"/>, asserting that every command succeeded.</summary>
    public void Run(params Command[] commands) => Cmdq.Run(commands);

    /// <summary>Acknowledges every active global error (GERRORN = GERROR).</summary>
    public void AcknowledgeErrors() => Mmio.Write32(SmmuRegister.GERRORN, Mmio.Read32(SmmuRegister.GERROR));

    /// <summary>GERROR_IRQ_CFG0 = <paramref name="address"/>, GERROR_IRQ_CFG1 = <paramref name="data"/>, then IRQ_CTRL = GERROR_IRQEN.</summary>
    public void ProgramGerrorMsi(ulong address, uint data)
    {
        Mmio.Write64(SmmuRegister.GERROR_IRQ_CFG0, address);
        Mmio.Write32(SmmuRegister.GERROR_IRQ_CFG1, data);
        Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
    }

    /// <summary>EVENTQ_IRQ_CFG0 = <paramref name="address"/>, EVENTQ_IRQ_CFG1 = <paramref name="data"/>, then IRQ_CTRL = EVENTQ_IRQEN.</summary>
    public void ProgramEventqMsi(ulong address, uint data)
    {
        Mmio.Write64(SmmuRegister.EVENTQ_IRQ_CFG0, address);
        Mmio.Write32(SmmuRegister.EVENTQ_IRQ_CFG1, data);
        Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.EVENTQ_IRQEN.Make(1));
    }

    /// <summary>Rewrites the command at queue index <paramref name="index"/>.</summary>
    public void Overwrite(uint index, in Command c) => Cmdq.Ring.Overwrite(index, c);

    /// <summary>Reads and consumes every event record; acknowledges an overflow.</summary>
    public List<EventRecord> DrainEvents() => Events.Drain();

    /// <summary>Drains the queue and returns its only record.</summary>
    public EventRecord SingleEvent() => Assert.Single(DrainEvents());

    /// <summary>Writes the STE of <paramref name="sid"/> (zero-padded), doubleword 0 last.</summary>
    public void WriteSte(uint sid, ulong[] ste) => StructureImages.Write(Memory, StreamTable + (sid * 64UL), ste, Ste.Dwords);

    /// <summary>Writes a CD at <paramref name="pa"/>, doubleword 0 last.</summary>
    public void WriteCd(ulong pa, ulong[] cd) => StructureImages.Write(Memory, pa, cd, Cd.Dwords);

    /// <summary>A stage-1 stream: CD 0 (ASID <paramref name="asid"/>) over <see cref="S1"/>, made visible with CFGI_STE.</summary>
    public ulong[] ConfigureStage1(uint sid, ushort asid = 1, uint eats = 0, Action<ulong[]>? cd = null, Action<ulong[]>? ste = null)
    {
        var image = StructureImages.MakeCd(S1.Root, asid);
        cd?.Invoke(image);
        WriteCd(CdAddress(sid), image);
        var s = StructureImages.Stage1(CdAddress(sid));
        Ste.EATS.Set(s, eats);
        ste?.Invoke(s);
        WriteSte(sid, s);
        Run(Command.CfgiSte(sid, leaf: true));
        return s;
    }

    /// <summary>A stage-2 stream over <see cref="S2"/>, VMID <paramref name="vmid"/>.</summary>
    public ulong[] ConfigureStage2(uint sid, ushort vmid = 1, uint eats = 0, Action<ulong[]>? ste = null)
    {
        var s = StructureImages.Stage2(S2.Root, vmid);
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

        WriteCd(CdAddress(sid), StructureImages.MakeCd(S1.Root, asid));
        var s = StructureImages.Nested(CdAddress(sid), S2.Root);
        Ste.S2VMID.Set(s, vmid);
        Ste.EATS.Set(s, eats);
        WriteSte(sid, s);
        Run(Command.CfgiSte(sid, leaf: true));
        return s;
    }

    /// <summary>Maps a 4 KiB stage-1 page (EL0 access, nG).</summary>
    public void MapS1(ulong va, ulong pa, bool writable = true, bool accessFlag = true) =>
        S1.Map(va, pa, 3, Descriptor.ApUnprivileged | Descriptor.NotGlobal
            | (accessFlag ? Descriptor.AccessFlag : 0) | (writable ? 0 : Descriptor.ApReadOnly));

    /// <summary>Maps a 4 KiB stage-2 page.</summary>
    public void MapS2(ulong ipa, ulong pa, bool writable = true) =>
        S2.Map(ipa, pa, 3, Descriptor.AccessFlag | Descriptor.S2ApRead | (writable ? Descriptor.S2ApWrite : 0));

    /// <summary>Clears the stage-1 page descriptor of <paramref name="va"/>.</summary>
    public void UnmapS1(ulong va) => S1.WriteLeaf(va, 3, 0);

    /// <summary>Clears the stage-2 page descriptor of <paramref name="ipa"/>.</summary>
    public void UnmapS2(ulong ipa) => S2.WriteLeaf(ipa, 3, 0);

    /// <summary>A read through <see cref="SmmuDevice.Translate"/>.</summary>
    public TransactionResult Read(uint sid, ulong address, uint? ssid = null) => Device.Translate(sid, ssid, address, AccessKind.Read);

    /// <summary>A write through <see cref="SmmuDevice.Translate"/>.</summary>
    public TransactionResult Write(uint sid, ulong address, uint? ssid = null) => Device.Translate(sid, ssid, address, AccessKind.Write);
}
