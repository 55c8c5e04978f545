using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Driver.Tables;

/// <summary>
/// Which bits of an STE or CD the SMMU reads in the configuration the entry itself selects, and which
/// STE bits may change without ordering (Linux: <c>arm_smmu_get_ste_used</c>,
/// <c>arm_smmu_get_cd_used</c>, <c>arm_smmu_get_ste_update_safe</c>). These drive
/// <see cref="EntryWriter"/>: a bit the current entry does not use can be rewritten freely.
/// </summary>
internal static class EntryUsedBits
{
    /// <summary>The driver's physical addresses have at most 52 bits.</summary>
    public const ulong PhysicalAddressMask = (1UL << 52) - 1;

    /// <summary>S1ContextPtr as the driver fills it: bits [51:6].</summary>
    public static readonly ulong S1ContextPtrMask = Ste.S1ContextPtr.InPlaceMask & PhysicalAddressMask;

    /// <summary>S2TTB as the driver fills it: bits [51:4].</summary>
    public static readonly ulong S2TtbMask = Ste.S2TTB.InPlaceMask & PhysicalAddressMask;

    /// <summary>TTB0 as the driver fills it: bits [51:4].</summary>
    public static readonly ulong Ttb0Mask = Cd.TTB0.InPlaceMask & PhysicalAddressMask;

    private static readonly ulong SteS1Dw0 = Ste.S1Fmt.InPlaceMask | S1ContextPtrMask | Ste.S1CDMax.InPlaceMask;

    private static readonly ulong SteS1Dw1 =
        Ste.S1DSS.InPlaceMask | Ste.S1CIR.InPlaceMask | Ste.S1COR.InPlaceMask | Ste.S1CSH.InPlaceMask |
        Ste.S1STALLD.InPlaceMask | Ste.STRW.InPlaceMask | Ste.EATS.InPlaceMask | Ste.MEV.InPlaceMask;

    private static readonly ulong SteS2Dw1 =
        Ste.S2FWB.InPlaceMask | Ste.EATS.InPlaceMask | Ste.SHCFG.InPlaceMask | Ste.MEV.InPlaceMask;

    private static readonly ulong SteS2Dw2 =
        Ste.S2VMID.InPlaceMask | Ste.VTCR.InPlaceMask | Ste.S2AA64.InPlaceMask | Ste.S2ENDI.InPlaceMask |
        Ste.S2PTW.InPlaceMask | Ste.S2S.InPlaceMask | Ste.S2R.InPlaceMask;

    private static readonly ulong CdTtb0Controls =
        Cd.T0SZ.InPlaceMask | Cd.TG0.InPlaceMask | Cd.IR0.InPlaceMask | Cd.OR0.InPlaceMask | Cd.SH0.InPlaceMask;

    /// <summary>
    /// Fills <paramref name="used"/> (8 qwords) with the bits of <paramref name="ste"/> that its own
    /// V and Config make the SMMU read.
    /// </summary>
    public static void GetSteUsed(ReadOnlySpan<ulong> ste, Span<ulong> used)
    {
        CheckLength(ste, Ste.Dwords);
        CheckLength(used, Ste.Dwords);
        used[..Ste.Dwords].Clear();
        used[0] = Ste.V.InPlaceMask;
        if (!Ste.V.IsSet(ste[0]))
        {
            return;
        }

        used[0] |= Ste.Config.InPlaceMask;
        var config = (uint)Ste.Config.Get(ste[0]);

        // Config bit 0: stage 1 translates (S1_TRANS, NESTED).
        if ((config & 0b001) != 0)
        {
            used[0] |= SteS1Dw0;
            used[1] |= SteS1Dw1;
            used[2] |= Ste.S2VMID.InPlaceMask;

            // SHCFG applies to stage-1-bypassed traffic (IHI0070 13.5).
            if (Ste.S1DSS.Get(ste[1]) == S1Dss.Bypass)
            {
                used[1] |= Ste.SHCFG.InPlaceMask;
            }
        }

        // Config bit 1: stage 2 translates (S2_TRANS, NESTED).
        if ((config & 0b010) != 0)
        {
            used[1] |= SteS2Dw1;
            used[2] |= SteS2Dw2;
            used[3] |= S2TtbMask;
        }

        if (config == SteConfig.Bypass)
        {
            used[1] |= Ste.SHCFG.InPlaceMask;
        }
    }

    /// <summary>
    /// Fills <paramref name="safe"/> (8 qwords) with the STE bits that may change between
    /// <paramref name="current"/> and <paramref name="target"/> in any order: MEV (it only merges
    /// fault records), and EATS between 0 and 1 unless either entry uses EATS=S1CHK or S2S (a
    /// transient S2S=1 with EATS=1 would be ILLEGAL). The writer further restricts them to bits both
    /// entries use.
    /// </summary>
    public static void GetSteUpdateSafe(ReadOnlySpan<ulong> current, ReadOnlySpan<ulong> target, Span<ulong> safe)
    {
        CheckLength(current, Ste.Dwords);
        CheckLength(target, Ste.Dwords);
        CheckLength(safe, Ste.Dwords);
        safe[..Ste.Dwords].Clear();
        var eatsS1Chk = Ste.EATS.Make(Eats.S1Chk);
        var eatsTrans = Ste.EATS.Make(Eats.Trans);
        if (((current[1] | target[1]) & eatsS1Chk) == 0 && ((current[2] | target[2]) & Ste.S2S.InPlaceMask) == 0)
        {
            safe[1] |= eatsTrans;
        }

        safe[1] |= Ste.MEV.InPlaceMask;
    }

    /// <summary>
    /// Fills <paramref name="used"/> (8 qwords) with the bits of <paramref name="cd"/> the SMMU reads:
    /// only V when V is 0; otherwise every bit, except the TTB0 walk controls and TTB0 when EPD0 is set.
    /// </summary>
    public static void GetCdUsed(ReadOnlySpan<ulong> cd, Span<ulong> used)
    {
        CheckLength(cd, Cd.Dwords);
        CheckLength(used, Cd.Dwords);
        used[..Cd.Dwords].Clear();
        used[0] = Cd.V.InPlaceMask;
        if (!Cd.V.IsSet(cd[0]))
        {
            return;
        }

        used[..Cd.Dwords].Fill(ulong.MaxValue);
        if (Cd.EPD0.IsSet(cd[0]))
        {
            used[0] &= ~CdTtb0Controls;
            used[1] &= ~Ttb0Mask;
        }
    }

    private static void CheckLength(ReadOnlySpan<ulong> span, int dwords)
    {
        if (span.Length < dwords)
        {
            throw new ArgumentException($"an entry needs {dwords} qwords, got {span.Length}");
        }
    }
}
