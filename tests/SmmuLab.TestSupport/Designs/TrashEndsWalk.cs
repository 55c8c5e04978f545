using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken reader of the Linux design's arrays (the inner design is a
/// <c>LinuxInvalidation</c>): a range invalidation stops at the first trash entry (as if unref had
/// cut the array there) instead of skipping it, so the live entries after trash left in the middle
/// by an unref are not invalidated. Each entry is issued whole, with its own CMD_SYNC.
/// </summary>
public sealed class TrashEndsWalk(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} stopping at trash";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        BrokenWalks.UnderFence(domain, invs =>
        {
            var end = invs.Count;
            for (var i = 0; i < end && invs.UsersAt(i) > 0; i++)
            {
                ref readonly var inv = ref invs[i];
                var command = inv.Type switch
                {
                    InvalidationType.S1Asid => Command.TlbiNhAsid(0, (ushort)inv.Id),
                    InvalidationType.S2Vmid => Command.TlbiS12Vmall((ushort)inv.Id),
                    InvalidationType.S2VmidS1Clear => Command.TlbiNhAll((ushort)inv.Id),
                    _ => InvalidationCommands.AtcInv(inv.Id, inv.Type == InvalidationType.AtsFull ? 0 : inv.Ssid, 0, 0),
                };
                inv.Smmu!.Cmdq.IssueCommandWithSync(command);
            }
        });
    }
}
