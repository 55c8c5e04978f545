using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Exploration;

/// <summary>The SMMU every exploration's machine is built with.</summary>
public static class QuietSmmu
{
    /// <summary>How long a driver wait may take before it times out under Coyote.</summary>
    public static readonly TimeSpan PollTimeout = TimeSpan.FromMinutes(5);

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
    public static SmmuNode AddQuietSmmu(this DriverMachine machine, string name, DriverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(machine);
        var node = machine.AddSmmu(name, features: new SmmuFeatures { Sev = false },
            driverOptions: (options ?? new DriverOptions()) with { PollTimeout = PollTimeout });
        node.Device.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        return node;
    }
}
