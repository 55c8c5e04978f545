using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdqv;

namespace SmmuLab.Driver.Guest;

/// <summary>
/// A guest kernel with a CMDQV VINTF of its own: commands its VCMDQ takes (TLBI_NH_ASID,
/// TLBI_NH_VA, ATC_INV; <see cref="CmdqvCommands.GuestSupports"/>) go there, straight to the
/// hardware, which puts in the VINTF's VMID and the physical StreamIDs; a list holding anything else
/// goes to <paramref name="fallback"/> (the vSMMU's emulated CMDQ), as the guest kernel's batches do.
/// </summary>
internal sealed class GuestVcmdqRoute(GuestVcmdq vcmdq, IGuestCommandQueue fallback) : IGuestCommandQueue
{
    public string Name => "vcmdq";

    public GuestVcmdq Vcmdq { get; } = vcmdq;

    public IGuestCommandQueue Fallback { get; } = fallback;

    public void IssueWithSync(ReadOnlySpan<Command> commands)
    {
        foreach (ref readonly var c in commands)
        {
            if (!CmdqvCommands.GuestSupports(c))
            {
                Fallback.IssueWithSync(commands);
                return;
            }
        }

        Vcmdq.Queue.IssueCommands(commands, sync: true);
    }
}
