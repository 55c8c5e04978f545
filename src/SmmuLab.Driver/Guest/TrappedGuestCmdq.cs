using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;

namespace SmmuLab.Driver.Guest;

/// <summary>
/// The guest's SMMU command queue as its VMM emulates it: the VMM consumes the guest's commands up to
/// its CMD_SYNC and hands the invalidations to the host in one call (<see cref="VSmmu.Invalidate"/>:
/// VMID and StreamIDs substituted, issued on the host's CMDQ with a CMD_SYNC), then completes the
/// guest's CMD_SYNC. The guest's queue memory and the trap are not modelled: the guest's commands
/// reach the VMM as they are.
/// </summary>
public sealed class TrappedGuestCmdq(VSmmu vsmmu) : IGuestCommandQueue
{
    private long syncs;

    public string Name => "vsmmu";

    public VSmmu VSmmu { get; } = vsmmu;

    /// <summary>Guest CMD_SYNCs completed.</summary>
    public long Syncs => Interlocked.Read(ref syncs);

    public void IssueWithSync(ReadOnlySpan<Command> commands)
    {
        VSmmu.Invalidate(commands);
        Interlocked.Increment(ref syncs);
    }
}
