using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.TestSupport.Smmu;

/// <summary>
/// STE and CD images with sensible defaults (callers tweak fields with <c>Field.Set</c>), and the
/// one way tests write an image into memory.
/// </summary>
public static class StructureImages
{
    /// <summary>An STE with only V and Config set.</summary>
    public static ulong[] MakeSte(uint config, bool valid = true)
    {
        var s = new ulong[Ste.Dwords];
        Ste.V.Set(s, valid ? 1UL : 0);
        Ste.Config.Set(s, config);
        return s;
    }

    /// <summary>A valid STE with Config = abort.</summary>
    public static ulong[] Abort() => MakeSte(SteConfig.Abort);

    /// <summary>A valid STE with Config = bypass.</summary>
    public static ulong[] Bypass() => MakeSte(SteConfig.Bypass);

    /// <summary>A stage-1 STE pointing at a CD (linear, one CD, S1DSS = terminate by default).</summary>
    public static ulong[] Stage1(ulong contextPtr, int cdMax = 0, uint fmt = S1Fmt.Linear, uint dss = S1Dss.Terminate)
    {
        var s = MakeSte(SteConfig.S1Translate);
        SetStage1(s, contextPtr, cdMax, fmt, dss);
        return s;
    }

    /// <summary>A stage-2 STE: 4K granule, 39-bit IPA starting at level 1, 48-bit PS by default.</summary>
    public static ulong[] Stage2(ulong s2ttb, ushort vmid = 1, Granule granule = Granule.Size4K, int t0sz = 25, uint sl0 = 1, uint ps = 5)
    {
        var s = MakeSte(SteConfig.S2Translate);
        SetStage2(s, s2ttb, vmid, granule, t0sz, sl0, ps);
        return s;
    }

    /// <summary>A nested STE: the stage-1 fields of <see cref="Stage1"/> and the default stage 2 of <see cref="Stage2"/> (VMID 1).</summary>
    public static ulong[] Nested(ulong contextPtr, ulong s2ttb, int cdMax = 0, uint fmt = S1Fmt.Linear, uint dss = S1Dss.Terminate)
    {
        var s = MakeSte(SteConfig.Nested);
        SetStage1(s, contextPtr, cdMax, fmt, dss);
        SetStage2(s, s2ttb, 1, Granule.Size4K, 25, 1, 5);
        return s;
    }

    /// <summary>A CD: TTB0 only (EPD1 = 1), 39-bit VA, 4K granule, 48-bit IPS, R = A = 1.</summary>
    public static ulong[] MakeCd(ulong ttb0, ushort asid = 1, int t0sz = 25, Granule granule = Granule.Size4K)
    {
        var c = new ulong[Cd.Dwords];
        Cd.V.Set(c, 1);
        Cd.AA64.Set(c, 1);
        Cd.T0SZ.Set(c, (ulong)t0sz);
        Cd.TG0.Set(c, granule.ToTg0());
        Cd.EPD1.Set(c, 1);
        Cd.IPS.Set(c, 5);
        Cd.R.Set(c, 1);
        Cd.A.Set(c, 1);
        Cd.ASID.Set(c, asid);
        Cd.TTB0.SetPresented(c, ttb0);
        Cd.MAIR.Set(c, 0x0044_FF04UL);
        return c;
    }

    /// <summary>Enables TTB1 in a CD image.</summary>
    public static ulong[] WithTtb1(ulong[] c, ulong ttb1, int t1sz = 25, Granule granule = Granule.Size4K)
    {
        Cd.EPD1.Set(c, 0);
        Cd.T1SZ.Set(c, (ulong)t1sz);
        Cd.TG1.Set(c, granule.ToTg1());
        Cd.TTB1.SetPresented(c, ttb1);
        return c;
    }

    /// <summary>
    /// Writes <paramref name="length"/> doublewords at <paramref name="pa"/>, the last first (so a valid
    /// bit in doubleword 0 lands last); doublewords beyond the image are written as zero.
    /// </summary>
    public static void Write(IPhysicalMemory memory, ulong pa, ulong[] image, int length)
    {
        for (var i = length - 1; i >= 0; i--)
        {
            memory.Write64(pa + ((ulong)i * 8), i < image.Length ? image[i] : 0);
        }
    }

    /// <summary>Writes the whole image at <paramref name="pa"/>, the last doubleword first.</summary>
    public static void Write(IPhysicalMemory memory, ulong pa, ulong[] image) => Write(memory, pa, image, image.Length);

    private static void SetStage1(ulong[] s, ulong contextPtr, int cdMax, uint fmt, uint dss)
    {
        Ste.S1ContextPtr.SetPresented(s, contextPtr);
        Ste.S1CDMax.Set(s, (ulong)cdMax);
        Ste.S1Fmt.Set(s, fmt);
        Ste.S1DSS.Set(s, dss);
    }

    private static void SetStage2(ulong[] s, ulong s2ttb, ushort vmid, Granule granule, int t0sz, uint sl0, uint ps)
    {
        Ste.S2VMID.Set(s, vmid);
        Ste.S2T0SZ.Set(s, (ulong)t0sz);
        Ste.S2SL0.Set(s, sl0);
        Ste.S2TG.Set(s, granule.ToTg0());
        Ste.S2PS.Set(s, ps);
        Ste.S2AA64.Set(s, 1);
        Ste.S2R.Set(s, 1);
        Ste.S2PTW.Set(s, 1);
        Ste.S2TTB.SetPresented(s, s2ttb);
    }
}
