using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Concurrency.Tests;

/// <summary>Machines for the explorations.</summary>
public static class Beds
{
    /// <summary>
    /// Adds an SMMU whose event-queue interrupt is off (GERROR stays on). A faulting DMA delivers
    /// the SMMU's pending interrupts while its endpoint still holds the device lock, and the event
    /// handler takes a monitor: under Coyote that monitor is a scheduling point inside a lock Coyote
    /// does not control, which it reports as a potential deadlock. The explorations judge
    /// translations, not events.
    /// </summary>
    /// <remarks>
    /// <para>No SEV: the model signals it under its device lock (CMD_SYNC, queue no longer full), and
    /// the driver's <c>WaitForEvent.SendEvent</c> it calls is rewritten code whose Interlocked
    /// calls are scheduling points. CMD_SYNCs complete by MSI as before.</para>
    /// <para>The driver's waits keep their real-time deadline; a schedule may starve a task for many
    /// steps before Coyote's fair suffix runs it, so the deadline is minutes, not a second.</para>
    /// </remarks>
    public static SmmuNode AddQuietSmmu(this DriverMachine machine, string name, Driver.Probe.DriverOptions? options = null)
    {
        var node = machine.AddSmmu(name, features: new SmmuFeatures { Sev = false },
            driverOptions: (options ?? new Driver.Probe.DriverOptions()) with { PollTimeout = TimeSpan.FromMinutes(5) });
        node.Device.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        return node;
    }
}
