using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Driver.Tables;

/// <summary>
/// Builds the 8-qword STE images the driver installs (Linux: <c>arm_smmu_make_*_ste</c>). Every
/// builder overwrites the whole entry and sets only bits that <see cref="EntryUsedBits.GetSteUsed"/>
/// reports as used by the image, which <see cref="EntryWriter"/> relies on.
/// </summary>
internal static class SteBuilder
{
    /// <summary>V=1, Config=abort: traffic is terminated without an event.</summary>
    public static void MakeAbort(Span<ulong> ste)
    {
        Begin(ste);
        ste[0] = Ste.V.Make(1) | Ste.Config.Make(SteConfig.Abort);
    }

    /// <summary>V=1, Config=bypass; SHCFG takes the incoming shareability when overrides are honoured.</summary>
    public static void MakeBypass(Span<ulong> ste, in EntryFeatures features)
    {
        Begin(ste);
        ste[0] = Ste.V.Make(1) | Ste.Config.Make(SteConfig.Bypass);
        if (features.AttrTypesOverride)
        {
            ste[1] = Ste.SHCFG.Make(Shareability.UseIncoming);
        }
    }

    /// <summary>
    /// A stage-1 STE pointing at a CD table: Config=S1 translate, CD fetches write-back
    /// read-allocate inner shareable, S1STALLD when the SMMU stalls but the master does not, EATS=TRANS
    /// with ATS, StreamWorld NS-EL2 with E2H (else NS-EL1 with S2VMID 0).
    /// </summary>
    /// <param name="ste">The 8-qword image to fill.</param>
    /// <param name="features">SMMU features.</param>
    /// <param name="cdTable">The CD table.</param>
    /// <param name="s1dss">Treatment of traffic without a SubstreamID, an <see cref="S1Dss"/> value.</param>
    /// <param name="atsEnabled">ATS is enabled for the master.</param>
    /// <param name="stallEnabled">The master takes stalling faults.</param>
    public static void MakeCdTable(
        Span<ulong> ste, in EntryFeatures features, in CdTableConfig cdTable, uint s1dss, bool atsEnabled, bool stallEnabled)
    {
        Begin(ste);
        ste[0] = Ste.V.Make(1)
            | Ste.Config.Make(SteConfig.S1Translate)
            | Ste.S1Fmt.Make(cdTable.S1Fmt)
            | (cdTable.CdTableDma & EntryUsedBits.S1ContextPtrMask)
            | Ste.S1CDMax.Make(cdTable.S1CdMax);

        var dw1 = Ste.S1DSS.Make(s1dss)
            | Ste.S1CIR.Make(Cacheability.WriteBackAllocate)
            | Ste.S1COR.Make(Cacheability.WriteBackAllocate)
            | Ste.S1CSH.Make(Shareability.Inner)
            | Ste.EATS.Make(atsEnabled ? Eats.Trans : Eats.Abort);
        if (features.Stalls && !stallEnabled)
        {
            dw1 |= Ste.S1STALLD.Make(1);
        }

        if (features.AttrTypesOverride && s1dss == S1Dss.Bypass)
        {
            dw1 |= Ste.SHCFG.Make(Shareability.UseIncoming);
        }

        if (features.E2H)
        {
            dw1 |= Ste.STRW.Make(Strw.El2);
        }
        else
        {
            // StreamWorld NS-EL1 tags stage-1 TLB entries with S2VMID; VMID 0 is kept for these STEs.
            dw1 |= Ste.STRW.Make(Strw.NsEl1);
            ste[2] = Ste.S2VMID.Make(0);
        }

        ste[1] = dw1;
    }

    /// <summary>
    /// A stage-2 STE for a paging domain: Config=S2 translate, the VMID and VTCR image, AArch64
    /// tables, S2PTW=1, S2R=1, S2S for a stalling master, S2TTB, EATS=TRANS with ATS, S2FWB when the
    /// page tables use it, SHCFG incoming when overrides are honoured.
    /// </summary>
    public static void MakeS2Domain(
        Span<ulong> ste, in EntryFeatures features, in Stage2Config s2, bool atsEnabled, bool stallEnabled)
    {
        Begin(ste);
        ste[0] = Ste.V.Make(1) | Ste.Config.Make(SteConfig.S2Translate);

        var dw1 = Ste.EATS.Make(atsEnabled ? Eats.Trans : Eats.Abort);
        if (s2.S2Fwb)
        {
            dw1 |= Ste.S2FWB.Make(1);
        }

        if (features.AttrTypesOverride)
        {
            dw1 |= Ste.SHCFG.Make(Shareability.UseIncoming);
        }

        ste[1] = dw1;

        var vtcr = s2.Vtcr;
        ste[2] = Ste.S2VMID.Make(s2.Vmid)
            | Ste.S2T0SZ.Make(vtcr.Tsz)
            | Ste.S2SL0.Make(vtcr.Sl)
            | Ste.S2IR0.Make(vtcr.Irgn)
            | Ste.S2OR0.Make(vtcr.Orgn)
            | Ste.S2SH0.Make(vtcr.Sh)
            | Ste.S2TG.Make(vtcr.Tg)
            | Ste.S2PS.Make(vtcr.Ps)
            | Ste.S2AA64.Make(1)
            | Ste.S2ENDI.Make(features.BigEndian ? 1UL : 0)
            | Ste.S2PTW.Make(1)
            | Ste.S2S.Make(stallEnabled ? 1UL : 0)
            | Ste.S2R.Make(1);
        ste[3] = s2.Vttbr & EntryUsedBits.S2TtbMask;
    }

    /// <summary>
    /// A nested STE for a guest's stage-1 CD table on top of a stage-2 parent: the stage-2 image of
    /// <paramref name="s2"/>, Config=nested, the guest's stage-1 fields of <paramref name="guestSte"/>
    /// dw0 and dw1 merged in (other guest bits are dropped), and MEV=1 so a guest cannot flood the event queue.
    /// </summary>
    /// <param name="ste">The 8-qword image to fill.</param>
    /// <param name="features">SMMU features.</param>
    /// <param name="s2">The stage-2 parent domain.</param>
    /// <param name="guestSte">The guest's STE (at least dw0 and dw1), already validated to hold only
    /// V, Config, S1Fmt, S1ContextPtr, S1CDMax, S1DSS, S1CIR, S1COR, S1CSH and S1STALLD.</param>
    /// <param name="atsEnabled">ATS is enabled for the master (the host decides EATS).</param>
    /// <param name="stallEnabled">The master takes stalling faults.</param>
    public static void MakeNestedCdTable(
        Span<ulong> ste, in EntryFeatures features, in Stage2Config s2, ReadOnlySpan<ulong> guestSte, bool atsEnabled, bool stallEnabled)
    {
        MakeS2Domain(ste, features, s2, atsEnabled, stallEnabled);
        ste[0] = Ste.V.Make(1) | Ste.Config.Make(SteConfig.Nested) | (guestSte[0] & GuestDw0);
        ste[1] |= (guestSte[1] & GuestDw1) | Ste.MEV.Make(1);
    }

    /// <summary>
    /// The physical STE for a device attached to a nested domain, chosen by the guest STE: an invalid
    /// guest STE or Config=abort gives an abort STE (so the guest can be told of bad STEs), bypass gives
    /// the stage-2 parent alone (without ATS), and S1 translate gives <see cref="MakeNestedCdTable"/>.
    /// </summary>
    public static void MakeNestedDomain(
        Span<ulong> ste, in EntryFeatures features, in Stage2Config s2, ReadOnlySpan<ulong> guestSte, bool atsEnabled, bool stallEnabled)
    {
        var config = Ste.V.IsSet(guestSte[0]) ? (uint)Ste.Config.Get(guestSte[0]) : SteConfig.Abort;
        switch (config)
        {
            case SteConfig.S1Translate:
                MakeNestedCdTable(ste, features, s2, guestSte, atsEnabled, stallEnabled);
                break;
            case SteConfig.Bypass:
                MakeS2Domain(ste, features, s2, atsEnabled: false, stallEnabled);
                break;
            default:
                MakeAbort(ste);
                break;
        }
    }

    // The guest STE fields a nested STE takes over; anything else in the guest words is dropped.
    private static readonly ulong GuestDw0 = Ste.S1Fmt.InPlaceMask | EntryUsedBits.S1ContextPtrMask | Ste.S1CDMax.InPlaceMask;

    private static readonly ulong GuestDw1 =
        Ste.S1DSS.InPlaceMask | Ste.S1CIR.InPlaceMask | Ste.S1COR.InPlaceMask | Ste.S1CSH.InPlaceMask | Ste.S1STALLD.InPlaceMask;

    private static void Begin(Span<ulong> ste)
    {
        if (ste.Length < Ste.Dwords)
        {
            throw new ArgumentException($"an STE needs {Ste.Dwords} qwords, got {ste.Length}", nameof(ste));
        }

        ste[..Ste.Dwords].Clear();
    }
}
