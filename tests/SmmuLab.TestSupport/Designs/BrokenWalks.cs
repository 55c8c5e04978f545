using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Probe;

namespace SmmuLab.TestSupport.Designs;

/// <summary>What the broken readers of the Linux design's arrays share: the snapshot under the ATC fence, its SMMUs, an entry's ATC_INV.</summary>
internal static class BrokenWalks
{
    /// <summary>
    /// Runs <paramref name="walk"/> on the domain's published array inside the read side of its ATC
    /// fence, after the full barrier that orders the caller's page-table update before the array
    /// load, as the correct reader does (only the walk itself is broken).
    /// </summary>
    public static void UnderFence(InvalidationDomain domain, Action<InvalidationArray> walk)
    {
        Interlocked.MemoryBarrier();
        var invs = LinuxInvalidation.ArrayOf(domain);
        invs.Fence.EnterRead();
        try
        {
            walk(invs);
        }
        finally
        {
            invs.Fence.ExitRead();
        }
    }

    /// <summary>The SMMUs of the live entries of the first <paramref name="end"/> entries, in array order.</summary>
    public static List<SmmuDriver> SmmusOf(InvalidationArray invs, int end)
    {
        var smmus = new List<SmmuDriver>();
        for (var i = invs.NextLive(0, end); i < end; i = invs.NextLive(i + 1, end))
        {
            if (invs[i].Smmu is { } s && !smmus.Contains(s))
            {
                smmus.Add(s);
            }
        }

        return smmus;
    }

    /// <summary>The ATC_INV of an ATS entry: the range of its SubstreamID, or the whole ATC for a nesting parent.</summary>
    public static Command AtcInv(in InvalidationEntry inv, ulong iova, ulong size) =>
        inv.Type == InvalidationType.AtsFull
            ? InvalidationCommands.AtcInv(inv.Id, 0, 0, 0)
            : InvalidationCommands.AtcInv(inv.Id, inv.Ssid, iova, size);
}
