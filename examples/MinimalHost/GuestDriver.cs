using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Examples;

/// <summary>
/// A tiny guest driver: it programs the SMMU with the guest CPU's loads and stores only (MMIO to the
/// register pages, stores to its own RAM), as software on the emulated machine would. A linear
/// stream table, a command queue whose CMD_SYNCs complete by an MSI write to a word it polls, an
/// event queue whose interrupts go to the host's doorbell, and one stage-1 stream.
/// </summary>
public sealed class GuestDriver
{
    private const int CmdqLog2 = 4;
    private const int EventqLog2 = 4;
    private const uint SyncPending = 1;
    private const uint SyncDone = 0;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly SystemBus bus;
    private readonly ulong smmu;
    private readonly GuestAllocator allocator;
    private readonly TextWriter log;
    private readonly int streamIdBits;
    private readonly ulong streamTable;
    private readonly ulong cmdq;
    private readonly ulong eventq;
    private readonly ulong syncWord;
    private uint cmdqProd;
    private uint eventqCons;

    /// <summary>Allocates the stream table (2^<paramref name="streamIdBits"/> STEs), the queues and the CMD_SYNC word.</summary>
    public GuestDriver(SystemBus bus, ulong smmuBase, GuestAllocator allocator, int streamIdBits, TextWriter log)
    {
        this.bus = bus;
        smmu = smmuBase;
        this.allocator = allocator;
        this.log = log;
        this.streamIdBits = streamIdBits;
        streamTable = allocator.Allocate((ulong)Ste.Bytes << streamIdBits);
        cmdq = allocator.Allocate((ulong)CommandLayouts.Bytes << CmdqLog2);
        eventq = allocator.Allocate((ulong)EventRecord.Bytes << EventqLog2);
        syncWord = allocator.Allocate(sizeof(ulong));
    }

    /// <summary>
    /// Checks the ID registers, then brings the SMMU up: tables, queues and interrupts programmed
    /// while disabled; CMDQEN, then (after invalidating everything) EVENTQEN, then SMMUEN, each
    /// acknowledged in CR0ACK.
    /// </summary>
    /// <param name="msiDoorbell">Where the event queue's MSI goes.</param>
    /// <param name="eventMsiData">The MSI payload.</param>
    public void Reset(ulong msiDoorbell, uint eventMsiData)
    {
        var idr0 = Read32(SmmuRegister.IDR0);
        var idr1 = Read32(SmmuRegister.IDR1);
        if (!Idr0.S1P.IsSet(idr0) || Idr1.SIDSIZE.Get(idr1) < (ulong)streamIdBits || Idr1.CMDQS.Get(idr1) < CmdqLog2)
        {
            throw new InvalidOperationException($"SMMU lacks what this driver needs (IDR0 0x{idr0:x}, IDR1 0x{idr1:x})");
        }

        log.WriteLine($"  guest: IDR0 0x{idr0:x8} S1P=1, IDR1.SIDSIZE={Idr1.SIDSIZE.Get(idr1)}");
        WriteCr0(0);
        Write32(SmmuRegister.CR1, (uint)(Cr1.QUEUE_IC.Make(Cacheability.WriteBackAllocate) | Cr1.QUEUE_OC.Make(Cacheability.WriteBackAllocate)
            | Cr1.QUEUE_SH.Make(Shareability.Inner) | Cr1.TABLE_IC.Make(Cacheability.WriteBackAllocate)
            | Cr1.TABLE_OC.Make(Cacheability.WriteBackAllocate) | Cr1.TABLE_SH.Make(Shareability.Inner)));
        Write32(SmmuRegister.CR2, (uint)Cr2.RECINVSID.Make(1));
        Write64(SmmuRegister.STRTAB_BASE, StrtabBase.ADDR.InsertAddress(0, streamTable) | StrtabBase.RA.Make(1));
        Write32(SmmuRegister.STRTAB_BASE_CFG, (uint)(StrtabBase.FMT.Make(StrtabBase.FmtLinear) | StrtabBase.LOG2SIZE.Make((ulong)streamIdBits)));
        Write64(SmmuRegister.CMDQ_BASE, QueueBase.ADDR.InsertAddress(0, cmdq) | QueueBase.LOG2SIZE.Make(CmdqLog2) | QueueBase.RWA.Make(1));
        Write32(SmmuRegister.CMDQ_PROD, 0);
        Write32(SmmuRegister.CMDQ_CONS, 0);
        Write64(SmmuRegister.EVENTQ_BASE, QueueBase.ADDR.InsertAddress(0, eventq) | QueueBase.LOG2SIZE.Make(EventqLog2) | QueueBase.RWA.Make(1));
        Write32(SmmuRegister.EVENTQ_PROD, 0);
        Write32(SmmuRegister.EVENTQ_CONS, 0);
        Write64(SmmuRegister.EVENTQ_IRQ_CFG0, IrqCfg.ADDR.InsertAddress(0, msiDoorbell));
        Write32(SmmuRegister.EVENTQ_IRQ_CFG1, (uint)IrqCfg.DATA.Make(eventMsiData));
        Write32(SmmuRegister.EVENTQ_IRQ_CFG2, (uint)(IrqCfg.MemAttr.Make(MemAttr.DeviceNGnRE) | IrqCfg.SH.Make(Shareability.NonShareable)));
        var irqs = (uint)(IrqCtrl.GERROR_IRQEN.Make(1) | IrqCtrl.EVENTQ_IRQEN.Make(1));
        Write32(SmmuRegister.IRQ_CTRL, irqs);
        WaitFor(SmmuRegister.IRQ_CTRLACK, irqs);

        var enables = (uint)Cr0.CMDQEN.Make(1);
        WriteCr0(enables);
        Submit(Command.CfgiAll(), Command.TlbiNsnhAll());
        enables |= (uint)Cr0.EVENTQEN.Make(1);
        WriteCr0(enables);
        enables |= (uint)Cr0.SMMUEN.Make(1);
        WriteCr0(enables);
        log.WriteLine($"  guest: CR0ACK 0x{Read32(SmmuRegister.CR0ACK):x} (CMDQEN, EVENTQEN, SMMUEN)");
    }

    /// <summary>
    /// Gives <paramref name="sid"/> a stage-1 configuration: one CD (AArch64, 48-bit VA, TTB0 =
    /// <paramref name="table"/>, ASID <paramref name="asid"/>, faults recorded and aborted), an STE
    /// pointing at it, then CFGI_STE and CMD_SYNC.
    /// </summary>
    public void InstallStage1Stream(uint sid, ushort asid, GuestPageTable table)
    {
        Span<ulong> cd = stackalloc ulong[Cd.Dwords];
        cd.Clear();
        Cd.T0SZ.Set(cd, 64 - GuestPageTable.InputBits);
        Cd.TG0.Set(cd, GuestPageTable.G.ToTg0());
        Cd.IR0.Set(cd, Cacheability.WriteBackAllocate);
        Cd.OR0.Set(cd, Cacheability.WriteBackAllocate);
        Cd.SH0.Set(cd, Shareability.Inner);
        Cd.EPD1.Set(cd, 1);
        Cd.IPS.Set(cd, AddressSize.FromBits(GuestPageTable.InputBits));
        Cd.AA64.Set(cd, 1);
        Cd.R.Set(cd, 1);
        Cd.A.Set(cd, 1);
        Cd.ASET.Set(cd, 1);
        Cd.ASID.Set(cd, asid);
        Cd.MAIR.Set(cd, (ulong)MairAttr.NormalWriteBack << (8 * GuestPageTable.NormalIndex));
        cd[Cd.TTB0.Dword] = Cd.TTB0.InsertAddress(cd[Cd.TTB0.Dword], table.Root);
        Cd.V.Set(cd, 1);
        var cdPa = allocator.Allocate(Cd.Bytes);
        WriteStructure(cdPa, cd);

        Span<ulong> ste = stackalloc ulong[Ste.Dwords];
        ste.Clear();
        Ste.Config.Set(ste, SteConfig.S1Translate);
        Ste.S1Fmt.Set(ste, S1Fmt.Linear);
        ste[Ste.S1ContextPtr.Dword] = Ste.S1ContextPtr.InsertAddress(ste[Ste.S1ContextPtr.Dword], cdPa);
        Ste.S1CIR.Set(ste, Cacheability.WriteBackAllocate);
        Ste.S1COR.Set(ste, Cacheability.WriteBackAllocate);
        Ste.S1CSH.Set(ste, Shareability.Inner);
        Ste.V.Set(ste, 1);
        WriteStructure(streamTable + ((ulong)sid * Ste.Bytes), ste);
        Submit(Command.CfgiSte(sid, leaf: true));
        log.WriteLine($"  guest: STE 0x{sid:x} -> CD at 0x{cdPa:x} (ASID {asid}, TTB0 0x{table.Root:x})");
    }

    /// <summary>
    /// Queues <paramref name="commands"/> and a CMD_SYNC that completes by writing 0 to the sync word,
    /// moves CMDQ_PROD, and polls the word (and CMDQ_CONS.ERR) until the SMMU has executed them all.
    /// </summary>
    public void Submit(params ReadOnlySpan<Command> commands)
    {
        foreach (var c in commands)
        {
            Put(c);
        }

        bus.CpuWrite32(syncWord, SyncPending);
        Put(Command.Sync(SyncCompletion.SIG_IRQ, syncWord, SyncDone, Shareability.Inner, MemAttr.NormalWriteBack));
        Write32(SmmuRegister.CMDQ_PROD, cmdqProd);
        var waited = Stopwatch.StartNew();
        while (bus.CpuRead32(syncWord) != SyncDone)
        {
            var cons = Read32(SmmuRegister.CMDQ_CONS);
            if (QueuePointer.ERR.Get(cons) != (ulong)CommandError.CERROR_NONE)
            {
                throw new InvalidOperationException($"command queue error {(CommandError)QueuePointer.ERR.Get(cons)}");
            }

            if (waited.Elapsed > Patience)
            {
                throw new TimeoutException("CMD_SYNC did not complete");
            }

            Thread.Yield();
        }
    }

    /// <summary>Reads every record the SMMU has written to the event queue and moves EVENTQ_CONS past them.</summary>
    public List<EventRecord> DrainEvents()
    {
        var records = new List<EventRecord>();
        var prod = Read32(SmmuRegister.EVENTQ_PROD);
        Span<ulong> w = stackalloc ulong[EventRecord.Dwords];
        while (!QueuePointer.IsEmpty(prod, eventqCons, EventqLog2))
        {
            var slot = eventq + ((ulong)QueuePointer.Index(eventqCons, EventqLog2) * EventRecord.Bytes);
            for (var i = 0; i < w.Length; i++)
            {
                w[i] = bus.CpuRead64(slot + ((ulong)i * sizeof(ulong)));
            }

            records.Add(new EventRecord(w[0], w[1], w[2], w[3]));
            eventqCons = QueuePointer.Increment(eventqCons, EventqLog2);
        }

        Write32(SmmuRegister.EVENTQ_CONS, eventqCons | (prod & QueuePointer.OverflowFlag));
        return records;
    }

    private void Put(in Command command)
    {
        var waited = Stopwatch.StartNew();
        while (QueuePointer.IsFull(cmdqProd, Read32(SmmuRegister.CMDQ_CONS), CmdqLog2))
        {
            Write32(SmmuRegister.CMDQ_PROD, cmdqProd);
            if (waited.Elapsed > Patience)
            {
                throw new TimeoutException("command queue stayed full");
            }

            Thread.Yield();
        }

        var slot = cmdq + ((ulong)QueuePointer.Index(cmdqProd, CmdqLog2) * CommandLayouts.Bytes);
        bus.CpuWrite64(slot, command.Dw0);
        bus.CpuWrite64(slot + sizeof(ulong), command.Dw1);
        cmdqProd = QueuePointer.Increment(cmdqProd, CmdqLog2);
    }

    /// <summary>Writes a structure with double word 0 (which holds V) last, so it becomes valid whole.</summary>
    private void WriteStructure(ulong pa, ReadOnlySpan<ulong> dwords)
    {
        for (var i = dwords.Length - 1; i >= 0; i--)
        {
            bus.CpuWrite64(pa + ((ulong)i * sizeof(ulong)), dwords[i]);
        }
    }

    private void WriteCr0(uint value)
    {
        Write32(SmmuRegister.CR0, value);
        WaitFor(SmmuRegister.CR0ACK, value);
    }

    private void WaitFor(int register, uint value)
    {
        var waited = Stopwatch.StartNew();
        while (Read32(register) != value)
        {
            if (waited.Elapsed > Patience)
            {
                throw new TimeoutException($"register 0x{register:x} did not reach 0x{value:x}");
            }

            Thread.Yield();
        }
    }

    private uint Read32(int register) => bus.CpuRead32(smmu + (ulong)register);

    private void Write32(int register, uint value) => bus.CpuWrite32(smmu + (ulong)register, value);

    private void Write64(int register, ulong value) => bus.CpuWrite64(smmu + (ulong)register, value);
}
