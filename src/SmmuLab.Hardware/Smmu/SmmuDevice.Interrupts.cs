using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Smmu;

/// <summary>Global errors and interrupt delivery: wired lines and MSIs (IHI0070 6.3.18-6.3.23).</summary>
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

    /// <summary>An interrupt: an MSI when the SMMU implements MSIs and CFG0.ADDR is non-zero, otherwise the wired line.</summary>
    private void SignalInterrupt(ulong cfg0, uint data, SmmuInterrupt line, uint abortBit)
    {
        var addr = IrqCfg.ADDR.GetAddress(cfg0);
        if (Features.Msi && addr != 0)
        {
            if (!memory.IsBacked(addr))
            {
                if (abortBit != GError.MSI_GERROR_ABT_ERR)
                {
                    RaiseGlobalError(abortBit);
                }
                else if ((ActiveGlobalErrors & abortBit) == 0)
                {
                    gerror ^= abortBit; // no interrupt can report a failed GERROR MSI
                }

                return;
            }

            memory.WriteVolatile32(addr, data);
            Clock.Advance(Options.Costs.MsiWriteNs);
            return;
        }

        pendingInterrupts |= 1u << (int)line;
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
