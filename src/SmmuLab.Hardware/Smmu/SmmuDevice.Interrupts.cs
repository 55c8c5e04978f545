using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Global errors and interrupt delivery: wired lines and MSIs (IHI0070 3.18, 6.3.18-6.3.23), and
/// the *_IRQ_CFG0/1/2 registers that configure the MSIs.
/// </summary>
public sealed partial class SmmuDevice
{
    /// <summary>Wired interrupt lines raised under the lock, delivered by <see cref="DeliverInterrupts"/>.</summary>
    private uint pendingInterrupts;

    /// <summary>Activates a global error if it is not already active, and signals it.</summary>
    private void RaiseGlobalError(uint bit)
    {
        if ((ActiveGlobalErrors & bit) != 0)
        {
            return;
        }

        gerror ^= bit;
        if (IrqCtrl.GERROR_IRQEN.IsSet(irqCtrl))
        {
            SignalInterrupt(gerrorIrqCfg0, gerrorIrqCfg1, SmmuInterrupt.GlobalError, GError.MSI_GERROR_ABT_ERR);
        }
    }

    /// <summary>
    /// An enabled interrupt source fires (3.18.2): its wired line pulses if the SMMU has wired lines,
    /// and an MSI is sent if the SMMU implements MSIs and CFG0.ADDR is non-zero. An SMMU with both
    /// does both.
    /// </summary>
    private void SignalInterrupt(ulong cfg0, uint data, SmmuInterrupt line, uint abortBit)
    {
        if (Features.WiredInterrupts)
        {
            pendingInterrupts |= 1u << (int)line;
        }

        if (Features.Msi && IrqCfg.ADDR.GetAddress(cfg0) is var addr and not 0)
        {
            SendMsi(addr, data, abortBit);
        }
    }

    /// <summary>
    /// One MSI write of <paramref name="data"/>. The address is truncated to the OAS (3.4.3: an MSI
    /// address above the OAS is truncated). A write to unbacked memory is an external abort: it
    /// activates <paramref name="abortBit"/> in GERROR, and for the GERROR MSI itself no interrupt
    /// reports it.
    /// </summary>
    private void SendMsi(ulong address, uint data, uint abortBit)
    {
        var pa = address & ((1UL << Features.OutputAddressBits) - 1);
        if (!memory.IsBacked(pa))
        {
            if (abortBit != GError.MSI_GERROR_ABT_ERR)
            {
                RaiseGlobalError(abortBit);
            }
            else if ((ActiveGlobalErrors & abortBit) == 0)
            {
                gerror ^= abortBit;
            }

            return;
        }

        memory.WriteVolatile32(pa, data);
        Clock.Advance(Options.Costs.MsiWriteNs);
    }

    /// <summary>
    /// Writes *_IRQ_CFG1 or *_IRQ_CFG2 (caller holds the lock); other offsets are ignored. The
    /// registers exist only with IDR0.MSI (RES0 otherwise, 6.3.22-6.3.23), and are read-only while
    /// their IRQ_CTRL enable is set (6.3.21: a write then is IGNORED from SMMUv3.2, CONSTRAINED
    /// UNPREDICTABLE before, where ignoring it is one of the permitted behaviours).
    /// </summary>
    private void WriteIrqConfig32(int offset, uint value)
    {
        switch (offset)
        {
            case SmmuRegister.GERROR_IRQ_CFG1 when IrqConfigWritable(IrqCtrl.GERROR_IRQEN):
                gerrorIrqCfg1 = value;
                break;
            case SmmuRegister.GERROR_IRQ_CFG2 when IrqConfigWritable(IrqCtrl.GERROR_IRQEN):
                gerrorIrqCfg2 = value & IrqCfg.Cfg2Mask;
                break;
            case SmmuRegister.EVENTQ_IRQ_CFG1 when IrqConfigWritable(IrqCtrl.EVENTQ_IRQEN):
                eventqIrqCfg1 = value;
                break;
            case SmmuRegister.EVENTQ_IRQ_CFG2 when IrqConfigWritable(IrqCtrl.EVENTQ_IRQEN):
                eventqIrqCfg2 = value & IrqCfg.Cfg2Mask;
                break;
            case SmmuRegister.PRIQ_IRQ_CFG1 when IrqConfigWritable(IrqCtrl.PRIQ_IRQEN):
                priqIrqCfg1 = value;
                break;
            case SmmuRegister.PRIQ_IRQ_CFG2 when IrqConfigWritable(IrqCtrl.PRIQ_IRQEN):
                priqIrqCfg2 = value & IrqCfg.Cfg2Mask;
                break;
            default:
                break; // another register, or a write the guard ignores
        }
    }

    /// <summary>Writes a *_IRQ_CFG0 register (caller holds the lock); other offsets are ignored. ADDR is [55:2] (6.3.21).</summary>
    private void WriteIrqConfig0(int offset, ulong value)
    {
        var addr = value & IrqCfg.ADDR.InPlaceMask;
        switch (offset)
        {
            case SmmuRegister.GERROR_IRQ_CFG0 when IrqConfigWritable(IrqCtrl.GERROR_IRQEN):
                gerrorIrqCfg0 = addr;
                break;
            case SmmuRegister.EVENTQ_IRQ_CFG0 when IrqConfigWritable(IrqCtrl.EVENTQ_IRQEN):
                eventqIrqCfg0 = addr;
                break;
            case SmmuRegister.PRIQ_IRQ_CFG0 when IrqConfigWritable(IrqCtrl.PRIQ_IRQEN):
                priqIrqCfg0 = addr;
                break;
            default:
                break; // another register, or a write the guard ignores
        }
    }

    private bool IrqConfigWritable(Field enable) => Features.Msi && !enable.IsSet(irqCtrl);

    /// <summary>
    /// Raises the wired interrupts that became pending while the device lock was held. Handlers run
    /// on the calling thread after the lock is released, so they may access registers freely.
    /// </summary>
    private void DeliverInterrupts()
    {
        if (pendingInterrupts == 0)
        {
            return;
        }

        uint pending;
        lock (gate)
        {
            pending = pendingInterrupts;
            pendingInterrupts = 0;
        }

        for (var line = 0; pending != 0; line++, pending >>= 1)
        {
            if ((pending & 1) != 0)
            {
                interrupts?.Raise((SmmuInterrupt)line);
            }
        }
    }
}
