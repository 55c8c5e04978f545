using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Smmu;

/// <summary>Telling an embedder which translations an invalidation may have made stale (<see cref="ITranslationInvalidationListener"/>).</summary>
public sealed partial class SmmuDevice
{
    private volatile ITranslationInvalidationListener? invalidationListener;

    /// <summary>
    /// log2 of the largest stage-1 block this SMMU's granules allow: a stage-1 invalidation by
    /// address reaches nested translations anywhere in such a block (Arm ARM D8.17).
    /// </summary>
    private readonly int largestStage1BlockShift;

    /// <summary>Told of every invalidation, or null (the default: nothing is built or called).</summary>
    public ITranslationInvalidationListener? InvalidationListener
    {
        get => invalidationListener;
        set => invalidationListener = value;
    }

    /// <summary>Tells the listener, if any (caller holds the device lock).</summary>
    private void NotifyInvalidated(in InvalidationScope scope) => invalidationListener?.TranslationsInvalidated(this, scope);

    /// <summary>The scope of a CMD_TLBI_*: its VMID, ASID (non-global scopes only) and address range.</summary>
    private InvalidationScope TlbScope(in TlbInvalidation inv)
    {
        ulong first = 0, last = ulong.MaxValue;
        if (inv.ByAddress)
        {
            first = inv.First;
            last = inv.Last;
            if (Features.Nesting && (inv.Stages & (1 << (int)TranslationStages.Nested)) != 0)
            {
                // A nested translation is removed when the command names any part of its stage-1 block.
                var block = (1UL << largestStage1BlockShift) - 1;
                first &= ~block;
                last |= block;
            }
        }

        return new InvalidationScope(inv.Opcode,
            Vmid: inv.MatchVmid ? inv.Vmid : null,
            Asid: inv.AsidScope == AsidScope.NonGlobal ? inv.Asid : null,
            FirstAddress: first,
            LastAddress: last);
    }

    /// <summary>The scope of a CMD_CFGI_*: the StreamIDs (and SubstreamID) whose configuration it invalidates.</summary>
    private static InvalidationScope ConfigScope(in Command cmd)
    {
        var sid = (uint)cmd.Get(CommandLayouts.Sid);
        switch (cmd.Opcode)
        {
            case Opcode.CMD_CFGI_STE_RANGE:
                var range = (int)cmd.Get(CommandLayouts.Range);
                if (range >= CommandLayouts.CfgiAllRange)
                {
                    return InvalidationScope.Everything(cmd.Opcode);
                }

                var count = 1u << (range + 1);
                var first = sid & ~(count - 1);
                return new InvalidationScope(cmd.Opcode, first, first + count - 1);
            case Opcode.CMD_CFGI_CD:
                return new InvalidationScope(cmd.Opcode, sid, sid, SubstreamId: (uint)cmd.Get(CommandLayouts.Ssid));
            default:
                return new InvalidationScope(cmd.Opcode, sid, sid);
        }
    }

    /// <summary>The scope of a CMD_ATC_INV: the StreamID, the PASID unless global or absent, and the address range.</summary>
    private static InvalidationScope AtcScope(in Command cmd)
    {
        var sid = (uint)cmd.Get(CommandLayouts.Sid);
        var size = (int)cmd.Get(CommandLayouts.AtcSize);
        uint? ssid = cmd.Get(CommandLayouts.Ssv) != 0 && cmd.Get(CommandLayouts.Global) == 0 ? (uint)cmd.Get(CommandLayouts.Ssid) : null;
        if (size >= CommandLayouts.AtcInvSizeAll)
        {
            return new InvalidationScope(cmd.Opcode, sid, sid, ssid);
        }

        var span = (1UL << (size + CommandLayouts.AtcInvPageShift)) - 1;
        var first = CommandLayouts.Addr.GetAddress(cmd.Dw1) & ~span;
        return new InvalidationScope(cmd.Opcode, sid, sid, ssid, FirstAddress: first, LastAddress: first + span);
    }

    private static int LargestStage1BlockShift(SmmuFeatures f)
    {
        var largest = 0;
        foreach (var g in new[] { Granule.Size4K, Granule.Size16K, Granule.Size64K })
        {
            for (var level = 0; level <= 3 && f.Supports(g); level++)
            {
                if (level == 3 || g.BlockAllowed(level, f.OutputAddressBits == 52))
                {
                    largest = Math.Max(largest, g.LevelShift(level));
                }
            }
        }

        return largest;
    }
}
