using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Platform;

namespace SmmuLab.TestSupport.Designs;

/// <summary>
/// A deliberately broken reader of the Linux design's arrays (the inner design is a
/// <c>LinuxInvalidation</c>): the range loop of the first merged version of Linux's array walk,
/// whose nested stage-1 clear arm (when the range is too big) and unknown-type arm go straight
/// back to the loop test, skipping the step to the next entry (Linux fixed it by leaving the
/// switch instead: 6a01b9f0). A too-big invalidation of a nesting parent then never ends. Like the
/// real loop it reaches <see cref="OrderingPoint.ArrayEntry"/> once per turn, so a test's waiter
/// can count the turns and stop it.
/// </summary>
public sealed class ContinueInRangeLoop(IInvalidationDesign inner) : DelegatingInvalidationDesign(inner)
{
    public override string Name => $"{Inner.Name} with continue in the range loop";

    public override void InvalidateRange(InvalidationDomain domain, ulong iova, ulong size, ulong granule, bool leaf)
    {
        Interlocked.MemoryBarrier();
        var invs = LinuxInvalidation.ArrayOf(domain);
        invs.Fence.Waiter.At(OrderingPoint.ArrayEntry);
        invs.Fence.EnterRead();
        try
        {
            Walk(invs, iova, size, granule, leaf);
        }
        finally
        {
            invs.Fence.ExitRead();
        }
    }

    private static void Walk(InvalidationArray invs, ulong iova, ulong size, ulong granule, bool leaf)
    {
        var end = invs.Count;
        var cur = invs.NextLive(0, end);
        if (cur >= end)
        {
            return;
        }

        var batch = invs[cur].Smmu!.NewBatch(new Command[Driver.Cmdq.CommandBatch.Capacity], new Command((ulong)invs[cur].SizeOpcode, 0));
        while (cur < end)
        {
            invs.Fence.Waiter.At(OrderingPoint.ArrayEntry);
            ref readonly var inv = ref invs[cur];
            var smmu = inv.Smmu!;
            if (batch.Count == 0)
            {
                batch.Retarget(smmu.QueueChooser, new Command((ulong)inv.SizeOpcode, 0));
            }

            switch (inv.Type)
            {
                case InvalidationType.S1Asid:
                case InvalidationType.S2Vmid:
                    if (InvalidationCommands.UseWholeTag(smmu.Features.RangeInvalidation, smmu.Options.RangeFallback, iova, size, granule, inv.PageShift, leaf))
                    {
                        batch.Add(RangeInvalidator.WholeTag(in inv));
                    }
                    else
                    {
                        var template = inv.Type == InvalidationType.S1Asid
                            ? Command.TlbiByAddress(inv.SizeOpcode, 0, (ushort)inv.Id, 0, leaf)
                            : Command.TlbiByAddress(inv.SizeOpcode, (ushort)inv.Id, 0, 0, leaf);
                        InvalidationCommands.AddSplit(ref batch, template, leaf, iova, size, granule, inv.PageShift);
                    }

                    break;
                case InvalidationType.S2VmidS1Clear:
                    if (InvalidationCommands.SizeTooBig(smmu.Features.RangeInvalidation, size, granule))
                    {
                        continue; // the defect: back to the loop test with cur unchanged
                    }

                    batch.Add(Command.TlbiNhAll((ushort)inv.Id));
                    break;
                case InvalidationType.Ats:
                case InvalidationType.AtsFull:
                    batch.Add(BrokenWalks.AtcInv(in inv, iova, size));
                    break;
                default:
                    continue; // the same defect for an unknown type
            }

            var next = invs.NextLive(cur + 1, end);
            if (batch.Count != 0 && (next == end || RangeInvalidator.EndsBatch(in inv, in invs[next])))
            {
                batch.Submit();
            }

            cur = next;
        }
    }
}
