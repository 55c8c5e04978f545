using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>The register file (IHI0070 6.3): reads, writes and their side effects.</summary>
public sealed partial class SmmuDevice
{
    private uint cr0;
    private uint cr1;
    private uint cr2;
    private uint gbpa;
    private uint irqCtrl;
    private uint gerror;
    private uint gerrorn;
    private ulong gerrorIrqCfg0;
    private uint gerrorIrqCfg1;
    private uint gerrorIrqCfg2;
    private ulong strtabBase;
    private uint strtabBaseCfg;
    private ulong eventqIrqCfg0;
    private uint eventqIrqCfg1;
    private uint eventqIrqCfg2;
    private ulong priqIrqCfg0;
    private uint priqIrqCfg1;
    private uint priqIrqCfg2;

    private bool SmmuEnabled => (cr0 & 1) != 0;

    private bool CmdqEnabled => Cr0.CMDQEN.IsSet(cr0);

    private bool EventqEnabled => Cr0.EVENTQEN.IsSet(cr0);

    private bool AtsCheck => Cr0.ATSCHK.IsSet(cr0);

    /// <summary>GERROR bits whose error is active (GERROR and GERRORN differ).</summary>
    private uint ActiveGlobalErrors => gerror ^ gerrorn;

    public uint Read32(int offset)
    {
        if ((offset & 3) != 0 || offset < 0 || offset >= SmmuRegister.RegionSize)
        {
            return 0;
        }

        // A 32-bit access to either half of a 64-bit register.
        if ((offset & 4) != 0 && SmmuRegister.Is64Bit(offset - 4))
        {
            return (uint)(Read64(offset - 4) >> 32);
        }

        if (SmmuRegister.Is64Bit(offset))
        {
            return (uint)Read64(offset);
        }

        lock (gate)
        {
            return offset switch
            {
                SmmuRegister.IDR0 => Features.Idr0Value,
                SmmuRegister.IDR1 => Features.Idr1Value,
                SmmuRegister.IDR3 => Features.Idr3Value,
                SmmuRegister.IDR5 => Features.Idr5Value,
                SmmuRegister.IIDR => Options.Product.IidrValue,
                SmmuRegister.AIDR => Features.AidrValue,
                SmmuRegister.CR0 => cr0,
                SmmuRegister.CR0ACK => cr0,
                SmmuRegister.CR1 => cr1,
                SmmuRegister.CR2 => cr2,
                SmmuRegister.GBPA => gbpa,
                SmmuRegister.IRQ_CTRL => irqCtrl,
                SmmuRegister.IRQ_CTRLACK => irqCtrl,
                SmmuRegister.GERROR => gerror,
                SmmuRegister.GERRORN => gerrorn,
                SmmuRegister.GERROR_IRQ_CFG1 => gerrorIrqCfg1,
                SmmuRegister.GERROR_IRQ_CFG2 => gerrorIrqCfg2,
                SmmuRegister.STRTAB_BASE_CFG => strtabBaseCfg,
                SmmuRegister.CMDQ_PROD => cmdq.Prod,
                SmmuRegister.CMDQ_CONS => cmdq.Cons,
                SmmuRegister.EVENTQ_PROD => eventq.Prod,
                SmmuRegister.EVENTQ_CONS => eventq.Cons,
                SmmuRegister.EVENTQ_IRQ_CFG1 => eventqIrqCfg1,
                SmmuRegister.EVENTQ_IRQ_CFG2 => eventqIrqCfg2,
                SmmuRegister.PRIQ_PROD => priq.Prod,
                SmmuRegister.PRIQ_CONS => priq.Cons,
                SmmuRegister.PRIQ_IRQ_CFG1 => priqIrqCfg1,
                SmmuRegister.PRIQ_IRQ_CFG2 => priqIrqCfg2,
                _ => 0, // RAZ/WI: IDR2, IDR4, STATUSR, AGBPA, reserved and unimplemented locations
            };
        }
    }

    public ulong Read64(int offset)
    {
        if ((offset & 7) != 0 || offset < 0 || offset >= SmmuRegister.RegionSize)
        {
            return 0;
        }

        if (!SmmuRegister.Is64Bit(offset))
        {
            // Two adjacent 32-bit registers read as a pair.
            return Read32(offset) | ((ulong)Read32(offset + 4) << 32);
        }

        lock (gate)
        {
            return offset switch
            {
                SmmuRegister.GERROR_IRQ_CFG0 => gerrorIrqCfg0,
                SmmuRegister.STRTAB_BASE => strtabBase,
                SmmuRegister.CMDQ_BASE => cmdq.Base,
                SmmuRegister.EVENTQ_BASE => eventq.Base,
                SmmuRegister.EVENTQ_IRQ_CFG0 => eventqIrqCfg0,
                SmmuRegister.PRIQ_BASE => priq.Base,
                SmmuRegister.PRIQ_IRQ_CFG0 => priqIrqCfg0,
                _ => 0,
            };
        }
    }

    public void Write32(int offset, uint value)
    {
        if ((offset & 3) != 0 || offset < 0 || offset >= SmmuRegister.RegionSize)
        {
            return;
        }

        if ((offset & 4) != 0 && SmmuRegister.Is64Bit(offset - 4))
        {
            WriteHalf(offset - 4, value, high: true);
            return;
        }

        if (SmmuRegister.Is64Bit(offset))
        {
            WriteHalf(offset, value, high: false);
            return;
        }

        var kick = false;
        lock (gate)
        {
            switch (offset)
            {
                case SmmuRegister.CR0:
                    kick = WriteCr0(value);
                    break;
                case SmmuRegister.CR1:
                    // QUEUE_* may change only with every queue disabled, TABLE_* only with SMMUEN = 0.
                    if ((cr0 & 0xF) == 0)
                    {
                        cr1 = value & Cr1.ImplementedMask;
                    }

                    break;
                case SmmuRegister.CR2:
                    // Read-only once SMMUEN is 1. E2H is RES0 without IDR0.HYP, REC_CFG_ATS without IDR0.ATSRECERR.
                    if (!SmmuEnabled)
                    {
                        cr2 = value & Cr2.ImplementedMask
                            & ~(Features.Hyp && Features.Nesting ? 0u : Cr2.E2H.InPlaceMask32())
                            & ~(Features.Ats ? 0u : Cr2.REC_CFG_ATS.InPlaceMask32());
                    }

                    break;
                case SmmuRegister.GBPA:
                    WriteGbpa(value);
                    break;
                case SmmuRegister.IRQ_CTRL:
                    irqCtrl = value & (IrqCtrl.ImplementedMask & (Features.Pri ? 7u : 5u));
                    break;
                case SmmuRegister.GERRORN:
                    kick = WriteGerrorn(value);
                    break;
                case SmmuRegister.STRTAB_BASE_CFG:
                    if (!SmmuEnabled)
                    {
                        strtabBaseCfg = value & StrtabBase.CfgMask;
                    }

                    break;
                case SmmuRegister.CMDQ_PROD:
                    cmdq.WriteProd(value);
                    kick = CmdqEnabled;
                    break;
                case SmmuRegister.CMDQ_CONS:
                    // CONS is written by software only while the queue is disabled.
                    if (!CmdqEnabled)
                    {
                        cmdq.WriteCons(value, QueuePointer.ERR.InPlaceMask32());
                    }

                    break;
                case SmmuRegister.EVENTQ_PROD:
                    if (!EventqEnabled)
                    {
                        eventq.WriteProd(value, QueuePointer.OverflowFlag);
                    }

                    break;
                case SmmuRegister.EVENTQ_CONS:
                    eventq.WriteCons(value, QueuePointer.OverflowFlag);
                    break;
                case SmmuRegister.PRIQ_PROD:
                    priq.Prod = value;
                    break;
                case SmmuRegister.PRIQ_CONS:
                    priq.Cons = value;
                    break;
                default:
                    WriteIrqConfig32(offset, value); // *_IRQ_CFG1/2; read-only and reserved locations ignore writes
                    break;
            }
        }

        if (kick)
        {
            KickConsumer();
        }

        DeliverInterrupts();
    }

    public void Write64(int offset, ulong value)
    {
        if ((offset & 7) != 0 || offset < 0 || offset >= SmmuRegister.RegionSize)
        {
            return;
        }

        if (!SmmuRegister.Is64Bit(offset))
        {
            Write32(offset, (uint)value);
            Write32(offset + 4, (uint)(value >> 32));
            return;
        }

        lock (gate)
        {
            Write64Locked(offset, value);
        }
    }

    private void WriteHalf(int offset, uint half, bool high)
    {
        lock (gate)
        {
            var current = offset switch
            {
                SmmuRegister.GERROR_IRQ_CFG0 => gerrorIrqCfg0,
                SmmuRegister.STRTAB_BASE => strtabBase,
                SmmuRegister.CMDQ_BASE => cmdq.Base,
                SmmuRegister.EVENTQ_BASE => eventq.Base,
                SmmuRegister.EVENTQ_IRQ_CFG0 => eventqIrqCfg0,
                SmmuRegister.PRIQ_BASE => priq.Base,
                _ => priqIrqCfg0,
            };
            var merged = high ? (current & 0xFFFF_FFFFUL) | ((ulong)half << 32) : (current & ~0xFFFF_FFFFUL) | half;
            Write64Locked(offset, merged);
        }
    }

    private void Write64Locked(int offset, ulong value)
    {
        switch (offset)
        {
            case SmmuRegister.STRTAB_BASE:
                if (!SmmuEnabled)
                {
                    strtabBase = value & (StrtabBase.ADDR.InPlaceMask | StrtabBase.RA.InPlaceMask);
                }

                break;
            case SmmuRegister.CMDQ_BASE:
                if (!CmdqEnabled)
                {
                    cmdq.Base = value & QueueBase.WritableMask;
                }

                break;
            case SmmuRegister.EVENTQ_BASE:
                if (!EventqEnabled)
                {
                    eventq.Base = value & QueueBase.WritableMask;
                }

                break;
            case SmmuRegister.PRIQ_BASE:
                priq.Base = value & QueueBase.WritableMask;
                break;
            default:
                WriteIrqConfig0(offset, value);
                break;
        }
    }

    /// <summary>CR0 write: CR0ACK follows at once (the update completes immediately). Returns true to kick the consumer.</summary>
    private bool WriteCr0(uint value)
    {
        var old = cr0;
        var implemented = Cr0.ImplementedMask & ~(Features.Pri ? 0u : Cr0.PRIQEN.InPlaceMask32()) & ~(Features.Ats ? 0u : Cr0.ATSCHK.InPlaceMask32());
        cr0 = value & implemented;
        // Caches are not cleared on enable: software must issue CFGI_ALL and TLBI_NSNH_ALL (as Linux
        // does at reset), and a driver that forgets is caught by stale entries.
        return CmdqEnabled && !Cr0.CMDQEN.IsSet(old);
    }

    /// <summary>GBPA update protocol: only a write with Update = 1 takes effect; it completes at once.</summary>
    private void WriteGbpa(uint value)
    {
        if (!Gbpa.Update.IsSet(value))
        {
            return;
        }

        gbpa = value & Gbpa.ImplementedMask;
    }

    /// <summary>GERRORN write acknowledges errors; acknowledging CMDQ_ERR restarts command consumption.</summary>
    private bool WriteGerrorn(uint value)
    {
        var wasCmdqError = (ActiveGlobalErrors & GError.CMDQ_ERR) != 0;
        gerrorn = value & GError.ImplementedMask;
        return wasCmdqError && (ActiveGlobalErrors & GError.CMDQ_ERR) == 0 && CmdqEnabled;
    }

    private void ResetRegisters()
    {
        cr0 = cr1 = cr2 = irqCtrl = gerror = gerrorn = 0;
        gbpa = Gbpa.ResetValue;
        strtabBase = strtabBaseCfg = 0;
        cmdq.Reset(QueueBase.LOG2SIZE.Make((ulong)Features.CommandQueueBits));
        eventq.Reset(QueueBase.LOG2SIZE.Make((ulong)Features.EventQueueBits));
        priq.Reset(0);
    }
}

internal static class FieldExtensions
{
    public static uint InPlaceMask32(this Architecture.Bits.Field f) => (uint)f.InPlaceMask;
}
