using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Machines;

/// <summary>
/// Minimal software for an SMMU, written by hand against its registers and memory the way a
/// bring-up test would: a linear stream table, a command queue with MSI-signalled CMD_SYNC, and an
/// event queue reader. It uses only <see cref="IMmio"/> and <see cref="IPhysicalMemory"/>.
/// </summary>
internal sealed class HandProgrammedSmmu
{
    private const int CmdqLog2 = 8;
    private const int EventqLog2 = 7;
    private readonly IMmio mmio;
    private readonly IPhysicalMemory memory;
    private readonly ulong cmdq;
    private readonly ulong eventq;
    private readonly ulong syncWord;
    private uint prod;
    private uint eventCons;

    public HandProgrammedSmmu(IMmio mmio, IPhysicalMemory memory, PhysicalAllocator allocator, int streamIdBits)
    {
        this.mmio = mmio;
        this.memory = memory;
        StreamIdBits = streamIdBits;
        StreamTable = allocator.Allocate((ulong)Ste.Bytes << streamIdBits, (ulong)Ste.Bytes << streamIdBits);
        cmdq = allocator.Allocate(16UL << CmdqLog2, 16UL << CmdqLog2);
        eventq = allocator.Allocate(32UL << EventqLog2, 32UL << EventqLog2);
        syncWord = allocator.Allocate(8, 8);
    }

    public int StreamIdBits { get; }

    public ulong StreamTable { get; }

    /// <summary>Brings the SMMU up: tables and queues, CR0 one enable at a time with CR0ACK, then invalidate everything.</summary>
    public void Reset()
    {
        WriteCr0(0);
        mmio.Write32(SmmuRegister.CR1, (uint)(Cr1.QUEUE_IC.Make(1) | Cr1.QUEUE_OC.Make(1) | Cr1.QUEUE_SH.Make(3)
            | Cr1.TABLE_IC.Make(1) | Cr1.TABLE_OC.Make(1) | Cr1.TABLE_SH.Make(3)));
        mmio.Write32(SmmuRegister.CR2, (uint)Cr2.RECINVSID.Make(1));
        mmio.Write64(SmmuRegister.STRTAB_BASE, StrtabBase.ADDR.InsertAddress(0, StreamTable) | StrtabBase.RA.Make(1));
        mmio.Write32(SmmuRegister.STRTAB_BASE_CFG, (uint)(StrtabBase.FMT.Make(StrtabBase.FmtLinear) | StrtabBase.LOG2SIZE.Make((ulong)StreamIdBits)));
        mmio.Write64(SmmuRegister.CMDQ_BASE, QueueBase.ADDR.InsertAddress(0, cmdq) | QueueBase.LOG2SIZE.Make(CmdqLog2) | QueueBase.RWA.Make(1));
        mmio.Write32(SmmuRegister.CMDQ_PROD, 0);
        mmio.Write32(SmmuRegister.CMDQ_CONS, 0);
        mmio.Write64(SmmuRegister.EVENTQ_BASE, QueueBase.ADDR.InsertAddress(0, eventq) | QueueBase.LOG2SIZE.Make(EventqLog2) | QueueBase.RWA.Make(1));
        mmio.Write32(SmmuRegister.EVENTQ_PROD, 0);
        mmio.Write32(SmmuRegister.EVENTQ_CONS, 0);
        var en = (uint)Cr0.CMDQEN.Make(1);
        WriteCr0(en);
        Submit(Command.CfgiAll(), Command.TlbiNsnhAll());
        en |= (uint)Cr0.EVENTQEN.Make(1);
        WriteCr0(en);
        WriteCr0(en | (uint)Cr0.SMMUEN.Make(1));
    }

    /// <summary>Writes an STE (eight double words; dword 0 last, so V goes live after the rest).</summary>
    public void WriteSte(uint sid, ReadOnlySpan<ulong> ste)
    {
        var pa = StreamTable + ((ulong)sid * Ste.Bytes);
        for (var i = Ste.Dwords - 1; i >= 0; i--)
        {
            memory.Write64(pa + ((ulong)i * 8), i < ste.Length ? ste[i] : 0);
        }
    }

    /// <summary>Queues <paramref name="commands"/> followed by a CMD_SYNC that writes an MSI, and waits for it.</summary>
    public void Submit(params ReadOnlySpan<Command> commands)
    {
        foreach (var c in commands)
        {
            Put(c);
        }

        memory.WriteVolatile32(syncWord, 1);
        Put(Command.Sync(SyncCompletion.SIG_IRQ, syncWord, 0));
        mmio.Write32(SmmuRegister.CMDQ_PROD, prod);
        var sw = Stopwatch.StartNew();
        while (memory.ReadVolatile32(syncWord) != 0)
        {
            var cons = mmio.Read32(SmmuRegister.CMDQ_CONS);
            if (QueuePointer.ERR.Get(cons) != 0)
            {
                throw new InvalidOperationException($"command queue error {(CommandError)QueuePointer.ERR.Get(cons)} at CONS 0x{cons & 0xFFFFF:x}");
            }

            if (sw.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new TimeoutException("CMD_SYNC did not complete within 5 s");
            }

            Thread.Yield();
        }
    }

    /// <summary>Reads and consumes every event record the SMMU has written.</summary>
    public List<EventRecord> DrainEvents()
    {
        var events = new List<EventRecord>();
        var eventProd = mmio.Read32(SmmuRegister.EVENTQ_PROD);
        while (!QueuePointer.IsEmpty(eventProd, eventCons, EventqLog2))
        {
            var slot = eventq + (QueuePointer.Index(eventCons, EventqLog2) * 32UL);
            events.Add(new EventRecord(memory.Read64(slot), memory.Read64(slot + 8), memory.Read64(slot + 16), memory.Read64(slot + 24)));
            eventCons = QueuePointer.Increment(eventCons, EventqLog2);
        }

        // Acknowledge any overflow by copying OVFLG into OVACKFLG.
        mmio.Write32(SmmuRegister.EVENTQ_CONS, eventCons | (eventProd & QueuePointer.OverflowFlag));
        return events;
    }

    private void Put(in Command c)
    {
        var cons = mmio.Read32(SmmuRegister.CMDQ_CONS);
        var sw = Stopwatch.StartNew();
        while (QueuePointer.IsFull(prod, cons, CmdqLog2))
        {
            mmio.Write32(SmmuRegister.CMDQ_PROD, prod);
            if (sw.Elapsed > TimeSpan.FromSeconds(5))
            {
                throw new TimeoutException("command queue stayed full for 5 s");
            }

            Thread.Yield();
            cons = mmio.Read32(SmmuRegister.CMDQ_CONS);
        }

        var slot = cmdq + (QueuePointer.Index(prod, CmdqLog2) * 16UL);
        memory.Write64(slot, c.Dw0);
        memory.Write64(slot + 8, c.Dw1);
        prod = QueuePointer.Increment(prod, CmdqLog2);
    }

    private void WriteCr0(uint value)
    {
        mmio.Write32(SmmuRegister.CR0, value);
        var sw = Stopwatch.StartNew();
        while (mmio.Read32(SmmuRegister.CR0ACK) != value)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(1))
            {
                throw new TimeoutException($"CR0ACK did not reach 0x{value:x}");
            }
        }
    }
}
