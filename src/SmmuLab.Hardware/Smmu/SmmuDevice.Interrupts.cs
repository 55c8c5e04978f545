using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Global errors and interrupt delivery: wired lines and MSIs (IHI0070 3.18, 6.3.18-6.3.23).
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
        if (!cmdq.TryWrite32InFetchedPage(pa, data) && !memory.TryWrite32(pa, data))
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

        Clock.Advance(Options.Costs.MsiWriteNs);
    }

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
        using (gate.Enter())
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
