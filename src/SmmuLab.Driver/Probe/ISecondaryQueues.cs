using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;

namespace SmmuLab.Driver.Probe;

/// <summary>
/// Extra command queues an SMMU implementation adds beside its CMDQ (the kernel's
/// <c>impl_ops-&gt;get_secondary_cmdq</c>; the Tegra241 CMDQV's VCMDQs). Installed on a probed SMMU
/// with <see cref="SmmuDriver.SetSecondaryQueues"/>; every command the driver issues then goes
/// through <see cref="SmmuDriver.CommandQueueFor"/>.
/// </summary>
public interface ISecondaryQueues
{
    /// <summary>
    /// The queue that should run <paramref name="command"/> on the calling thread, or null for the
    /// SMMU's own CMDQ. A queue returned must support the command (<see cref="CommandQueue.Supports"/>).
    /// </summary>
    CommandQueue? QueueFor(in Command command);
}
