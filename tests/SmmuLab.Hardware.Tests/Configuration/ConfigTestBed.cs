using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>
/// A memory with RAM below 1 TiB, a stream table and methods that write STEs, CDs and level-1
/// descriptors with the Architecture field layouts.
/// </summary>
internal sealed class ConfigTestBed
{
    public const ulong RamEnd = 1UL << 40;
    public const ulong LinearTable = 0x0010_0000;
    public const ulong L1Table = 0x0020_0000;
    public const ulong CdTable = 0x0100_0000;
    public const ulong Unbacked = 0x0000_F000_0000_0000;
    public const uint Cr2RecInvSid = 1u << 1;

    public ConfigTestBed(SmmuFeatures? features = null, StreamTableRegisters? regs = null,
        int steCapacity = 256, int cdCapacity = 1024, int l1Capacity = 64, IIpaTranslator? translator = null)
    {
        Features = features ?? new SmmuFeatures();
        Regs = regs ?? StreamTableRegisters.Linear(LinearTable, 8);
        Cache = new ConfigCache(Features, Memory, translator, steCapacity, cdCapacity, l1Capacity);
    }

    public SparsePhysicalMemory Memory { get; } = new([(0UL, RamEnd)]);

    public SmmuFeatures Features { get; }

    public StreamTableRegisters Regs { get; set; }

    public uint Cr2 { get; set; } = Cr2RecInvSid;

    public ConfigCache Cache { get; }

    public ConfigResult Lookup(uint sid, uint? ssid = null) => Cache.Lookup(Regs, Cr2, sid, ssid);

    public void Write(ulong pa, ulong[] dwords)
    {
        for (var i = 0; i < dwords.Length; i++)
        {
            Memory.Write64(pa + (ulong)(8 * i), dwords[i]);
        }
    }

    /// <summary>Writes an STE into the linear table.</summary>
    public void WriteSte(uint sid, ulong[] ste) => Write(LinearTable + (64UL * sid), ste);

    public void WriteL1Std(uint l1Index, ulong l2Ptr, int span) =>
        Memory.Write64(L1Table + (8UL * l1Index), L1Std.Span.Make((ulong)span) | L1Std.L2Ptr.InsertAddress(0, l2Ptr));

    public void WriteL1Cd(ulong l1Base, uint l1Index, ulong l2Ptr, bool valid = true) =>
        Memory.Write64(l1Base + (8UL * l1Index), L1Cd.V.Make(valid ? 1UL : 0) | L1Cd.L2Ptr.InsertAddress(0, l2Ptr));
}

/// <summary>STE and CD images with sensible defaults; callers tweak fields with Field.Set.</summary>
internal static class Images
{
    public static ulong[] MakeSte(uint config, bool valid = true)
    {
        var s = new ulong[Ste.Dwords];
        Ste.V.Set(s, valid ? 1UL : 0);
        Ste.Config.Set(s, config);
        return s;
    }

    public static ulong[] Abort() => MakeSte(SteConfig.Abort);

    public static ulong[] Bypass() => MakeSte(SteConfig.Bypass);

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

/// <summary>A stage-2 stand-in: IPA + offset, or a fault for IPAs at or above a limit.</summary>
internal sealed class OffsetIpaTranslator(ulong offset, ulong faultAtOrAbove = ulong.MaxValue) : IIpaTranslator
{
    public int Calls { get; private set; }

    public WalkResult TranslateIpa(StreamConfig stream, ulong ipa)
    {
        Calls++;
        return ipa >= faultAtOrAbove
            ? WalkResult.Faulted(EventId.F_TRANSLATION, true, FaultClass.IN, ipa)
            : WalkResult.Translated(ipa + offset, 12, 3, Permissions.All, true);
    }
}
