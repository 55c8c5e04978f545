using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken reader of the Linux design's arrays (the inner design is a
/// <c>LinuxInvalidation</c>): the TLBIs name the wrong ASID/VMID (the entry's plus one), so the
/// domain's IOTLB entries survive every unmap; the ATC_INVs and CMD_SYNCs are right.
/// </summary>
public sealed class WrongTagInvalidation(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} invalidating the wrong ASID/VMID";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        BrokenWalks.UnderFence(domain, invs =>
        {
            var end = invs.Count;
            foreach (var smmu in BrokenWalks.SmmusOf(invs, end))
            {
                var tlbis = new List<Command>();
                var atcs = new List<Command>();
                for (var i = invs.NextLive(0, end); i < end; i = invs.NextLive(i + 1, end))
                {
                    ref readonly var inv = ref invs[i];
                    if (inv.Smmu != smmu)
                    {
                        continue;
                    }

                    if (inv.Type.IsAts())
                    {
                        atcs.Add(BrokenWalks.AtcInv(in inv, iova, size));
                    }
                    else
                    {
                        var wrong = new InvalidationEntry(inv.Smmu, inv.Type, inv.Id + 1, 0, inv.SizeOpcode, inv.NsizeOpcode);
                        tlbis.Add(RangeInvalidator.WholeTag(in wrong));
                    }
                }

                smmu.IssueWithSync(tlbis.ToArray());
                if (atcs.Count > 0)
                {
                    smmu.IssueWithSync(atcs.ToArray());
                }
            }
        });
    }
}
