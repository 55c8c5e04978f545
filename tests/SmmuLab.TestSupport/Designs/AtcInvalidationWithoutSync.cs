using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken reader of the Linux design's arrays (the inner design is a
/// <c>LinuxInvalidation</c>): each SMMU's TLBIs and ATC_INVs go in one batch with one CMD_SYNC at
/// its end, so an endpoint may refill its ATC, between its ATC_INV and the TLBIs' completion, from
/// an IOTLB entry that is about to go. The TLBIs are the whole ASID/VMID.
/// </summary>
public sealed class AtcInvalidationWithoutSync(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} without a CMD_SYNC before the ATC_INVs";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        BrokenWalks.UnderFence(domain, invs =>
        {
            var end = invs.Count;
            foreach (var smmu in BrokenWalks.SmmusOf(invs, end))
            {
                var commands = new List<Command>();
                for (var i = invs.NextLive(0, end); i < end; i = invs.NextLive(i + 1, end))
                {
                    ref readonly var inv = ref invs[i];
                    if (inv.Smmu == smmu)
                    {
                        commands.Add(inv.Type.IsAts() ? BrokenWalks.AtcInv(in inv, iova, size) : RangeInvalidator.WholeTag(in inv));
                    }
                }

                smmu.IssueWithSync(commands.ToArray());
            }
        });
    }
}
