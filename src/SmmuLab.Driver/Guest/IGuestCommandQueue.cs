using SmmuLab.Architecture.Commands;

namespace SmmuLab.Driver.Guest;

/// <summary>
/// Where a guest kernel's SMMU commands go: the vSMMU's command queue that its VMM traps and
/// emulates (<see cref="TrappedGuestCmdq"/>), or a VCMDQ of a guest-owned CMDQV VINTF
/// (<see cref="GuestVcmdqRoute"/>).
/// </summary>
public interface IGuestCommandQueue
{
    /// <summary>A short name for reports (<c>vsmmu</c>, <c>vcmdq</c>).</summary>
    string Name { get; }

    /// <summary>Issues the commands followed by a CMD_SYNC and returns once that CMD_SYNC completed.</summary>
    void IssueWithSync(ReadOnlySpan<Command> commands);
}
