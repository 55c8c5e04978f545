using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Tables;

/// <summary>
/// Builds the 8-qword CD images the driver installs (Linux: <c>arm_smmu_make_s1_cd</c>,
/// <c>arm_smmu_make_sva_cd</c>). Every builder overwrites the whole entry.
/// </summary>
internal static class CdBuilder
{
    /// <summary>An invalid CD (all zero): substreams using it get C_BAD_CD.</summary>
    public static void Clear(Span<ulong> cd) => Begin(cd);

    /// <summary>
    /// A stage-1 CD for a paging domain: TTB0 walks per <paramref name="s1"/> (TTB1 disabled by
    /// EPD1=1), AArch64 tables, faults recorded (R=1) and aborted (A=1), a SMMU-local ASID (ASET=1),
    /// S for a stalling master, HA and HD with dirty tracking, TTB0 and MAIR.
    /// </summary>
    public static void MakeS1(Span<ulong> cd, in EntryFeatures features, in Stage1Config s1, bool stallEnabled)
    {
        Begin(cd);
        var tcr = s1.Tcr;
        var dw0 = Cd.T0SZ.Make(tcr.Tsz)
            | Cd.TG0.Make(tcr.Tg)
            | Cd.IR0.Make(tcr.Irgn)
            | Cd.OR0.Make(tcr.Orgn)
            | Cd.SH0.Make(tcr.Sh)
            | Cd.IPS.Make(tcr.Ips)
            | Common(features, stallEnabled, s1.Asid);
        if (s1.DirtyTracking)
        {
            dw0 |= Cd.HA.Make(1) | Cd.HD.Make(1);
        }

        cd[0] = dw0;
        cd[1] = s1.Ttbr & EntryUsedBits.Ttb0Mask;
        cd[3] = Cd.MAIR.Make(s1.Mair);
    }

    /// <summary>
    /// A CD sharing a process's page tables (SVA): the CPU's VA size, page size and PA range, walks
    /// write-back inner shareable, TTB0 = the process's page-table base, TTB1 disabled, MAIR_EL1.
    /// </summary>
    /// <param name="cd">The 8-qword image to fill.</param>
    /// <param name="features">SMMU and host features.</param>
    /// <param name="sva">The CPU translation regime and ASID.</param>
    /// <param name="pgd">Physical address of the process's top-level table.</param>
    /// <param name="stallEnabled">The master takes stalling faults.</param>
    public static void MakeSva(Span<ulong> cd, in EntryFeatures features, in SvaCdConfig sva, ulong pgd, bool stallEnabled)
    {
        Begin(cd);
        cd[0] = Cd.T0SZ.Make(sva.Tsz)
            | Cd.TG0.Make(sva.Tg)
            | Cd.IR0.Make(Cacheability.WriteBackAllocate)
            | Cd.OR0.Make(Cacheability.WriteBackAllocate)
            | Cd.SH0.Make(Shareability.Inner)
            | Cd.IPS.Make(sva.Ips)
            | Common(features, stallEnabled, sva.Asid);
        cd[1] = pgd & EntryUsedBits.Ttb0Mask;
        cd[3] = Cd.MAIR.Make(sva.Mair);
    }

    /// <summary>
    /// The SVA CD left in place after the process's address space is gone: still valid with the same
    /// ASID, but TTB0 walks are disabled (EPD0=1), so every access takes a translation fault, and,
    /// unless stalls are forced, S and R are cleared so the faults abort at once without records.
    /// The TTB0 fields are ignored under EPD0, so the writer can switch between this and
    /// <see cref="MakeSva"/> without making the CD invalid.
    /// </summary>
    public static void MakeSvaRelease(Span<ulong> cd, in EntryFeatures features, in SvaCdConfig sva, bool stallEnabled)
    {
        Begin(cd);
        var dw0 = Cd.EPD0.Make(1) | Cd.IPS.Make(sva.Ips) | Common(features, stallEnabled, sva.Asid);
        if (!features.StallForce)
        {
            dw0 &= ~(Cd.S.InPlaceMask | Cd.R.InPlaceMask);
        }

        cd[0] = dw0;
        cd[3] = Cd.MAIR.Make(sva.Mair);
    }

    // Fields every CD the driver builds carries.
    private static ulong Common(in EntryFeatures features, bool stallEnabled, ushort asid) =>
        Cd.ENDI.Make(features.BigEndian ? 1UL : 0)
        | Cd.EPD1.Make(1)
        | Cd.V.Make(1)
        | Cd.AA64.Make(1)
        | Cd.S.Make(stallEnabled ? 1UL : 0)
        | Cd.R.Make(1)
        | Cd.A.Make(1)
        | Cd.ASET.Make(1)
        | Cd.ASID.Make(asid);

    private static void Begin(Span<ulong> cd)
    {
        if (cd.Length < Cd.Dwords)
        {
            throw new ArgumentException($"a CD needs {Cd.Dwords} qwords, got {cd.Length}", nameof(cd));
        }

        cd[..Cd.Dwords].Clear();
    }
}
