using System.Collections.Immutable;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Translation;
using R = SmmuLab.Hardware.Configuration.ConfigFaultReason;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Decodes and validates a Non-secure STE. The checks follow IHI0070 5.2.2 <c>SteIllegal</c> in its
/// order; the first failing rule is reported. Secure, Realm, VMSAv8-32, VMSAv9-128, DPT, MPAM/VMS,
/// S2PIE/S2POE and LPA2 rules do not apply to the features this model implements.
/// </summary>
internal static class SteDecoder
{
    public static StreamConfig Decode(uint sid, ReadOnlySpan<ulong> ste, ConfigFeatures f, uint cr2)
    {
        var config = (uint)Ste.Config.Get(ste);
        var raw = ImmutableArray.Create(ste[..Ste.Dwords]);
        var kind = config switch
        {
            SteConfig.Bypass => StreamConfigKind.Bypass,
            SteConfig.S1Translate => StreamConfigKind.Stage1,
            SteConfig.S2Translate => StreamConfigKind.Stage2,
            SteConfig.Nested => StreamConfigKind.Nested,
            _ => StreamConfigKind.Abort,
        };
        var shell = new StreamConfig { StreamId = sid, Config = config, Kind = kind, Raw = raw };
        if (!Ste.V.IsSet(ste))
        {
            return shell with { Kind = StreamConfigKind.Abort, IllegalReason = R.SteNotValid };
        }

        if (kind == StreamConfigKind.Abort)
        {
            // Config 0b0xx: not ILLEGAL, the stream aborts silently and nothing else is checked.
            return shell;
        }

        var reason = Check(ste, config, f, out var stage2, out var concat);
        if (reason != R.None)
        {
            return shell with { IllegalReason = reason };
        }

        var s1 = SteConfig.HasStage1(config);
        var strw = (uint)Ste.STRW.Get(ste);
        var world = !StrwUnused(config, f) && strw == Strw.El2
            ? (Cr2.E2H.IsSet(cr2) ? StreamWorld.NsEl2E2H : StreamWorld.NsEl2)
            : StreamWorld.NsEl1;
        var vmidTagged = f.S2P && kind != StreamConfigKind.Bypass && world == StreamWorld.NsEl1;
        var cdMax = s1 && f.SsidSize != 0 ? (int)Ste.S1CDMax.Get(ste) : 0;
        var fmt = (uint)Ste.S1Fmt.Get(ste);
        var dss = (uint)Ste.S1DSS.Get(ste);
        var eats = (uint)Ste.EATS.Get(ste);
        return shell with
        {
            S1ContextPtr = s1 ? Ste.S1ContextPtr.GetAddress(ste) : 0,
            S1CDMax = cdMax,
            S1Fmt = cdMax == 0 || fmt == 3 ? 0 : fmt,
            S1DSS = s1 && cdMax != 0 && dss != 3 ? dss : 0,
            S1StallDisable = s1 && Ste.S1STALLD.IsSet(ste),
            S1CIR = s1 ? (uint)Ste.S1CIR.Get(ste) : 0,
            S1COR = s1 ? (uint)Ste.S1COR.Get(ste) : 0,
            S1CSH = s1 ? (uint)Ste.S1CSH.Get(ste) : 0,
            Eats = !f.Ats || !SteConfig.Translates(config) || eats == Eats.TransDpt ? Eats.Abort : eats,
            Strw = strw,
            StreamWorld = world,
            Mev = Ste.MEV.IsSet(ste),
            ShCfg = (uint)Ste.SHCFG.Get(ste),
            MtCfg = Ste.MTCFG.IsSet(ste),
            MemAttr = (uint)Ste.MemAttr.Get(ste),
            AllocCfg = (uint)Ste.ALLOCCFG.Get(ste),
            PrivCfg = EffectiveOverride((uint)Ste.PRIVCFG.Get(ste), f),
            InstCfg = EffectiveOverride((uint)Ste.INSTCFG.Get(ste), f),
            VmidTagged = vmidTagged,
            Vmid = vmidTagged ? (ushort)Ste.S2VMID.Get(ste) : (ushort)0,
            Stage2 = stage2,
            S2ConcatenatedTables = concat,
            S2Record = stage2 is not null && Ste.S2R.IsSet(ste),
            S2Stall = stage2 is not null && Ste.S2S.IsSet(ste),
            S2Affd = stage2 is not null && Ste.S2AFFD.IsSet(ste),
            S2Ptw = stage2 is not null && Ste.S2PTW.IsSet(ste),
            S2Ha = stage2 is not null && Ste.S2HA.IsSet(ste),
            S2Hd = stage2 is not null && Ste.S2HD.IsSet(ste),
            S2Fwb = stage2 is not null && Ste.S2FWB.IsSet(ste),
        };
    }

    /// <summary>
    /// Effective PRIVCFG or INSTCFG (5.2): RES0, so "use incoming", without IDR1.ATTR_PERMS_OVR; the
    /// reserved 0b01 behaves as 0b00. They apply whatever the Config, bypass included.
    /// </summary>
    private static uint EffectiveOverride(uint value, ConfigFeatures f) => f.AttrPermsOvr && value >= 0b10 ? value : 0;

    /// <summary>STRW is used only for stage-1-only STEs on an SMMU with stage 1 and HYP (5.2.2 IgnoreSTESTRW).</summary>
    private static bool StrwUnused(uint config, ConfigFeatures f) => !f.S1P || !f.Hyp || config != SteConfig.S1Translate;

    private static R Check(ReadOnlySpan<ulong> ste, uint config, ConfigFeatures f, out WalkParameters? stage2, out int concat)
    {
        stage2 = null;
        concat = 0;
        var s1 = SteConfig.HasStage1(config);
        var s2 = SteConfig.HasStage2(config);
        if (s1 && !f.S1P)
        {
            return R.Stage1NotImplemented;
        }

        if (s2 && !f.S2P)
        {
            return R.Stage2NotImplemented;
        }

        var s2s = Ste.S2S.IsSet(ste); // not IGNORED for the EATS checks
        if (f.Ats && SteConfig.Translates(config))
        {
            var eats = Ste.EATS.Get(ste);
            if (eats == Eats.S1Chk && (config != SteConfig.Nested || s2s || f.Ns1Ats))
            {
                return R.EatsSplitStageIllegal;
            }

            if (eats == Eats.Trans && s2s && s2)
            {
                return R.EatsFullWithS2Stall;
            }
        }

        var strw = Ste.STRW.Get(ste);
        if (!StrwUnused(config, f) && Strw.IsReserved((uint)strw))
        {
            return R.StrwReserved;
        }

        if (s1)
        {
            var reason = CheckStage1(ste, s2, f);
            if (reason != R.None)
            {
                return reason;
            }
        }

        if (s2)
        {
            var reason = CheckStage2(ste, s2s, f, out stage2, out concat);
            if (reason != R.None)
            {
                return reason;
            }
        }

        var vmidIgnored = !f.S2P || config == SteConfig.Bypass || (strw != Strw.NsEl1 && !StrwUnused(config, f));
        if (!vmidIgnored && !f.Vmid16 && (Ste.S2VMID.Get(ste) >> 8) != 0)
        {
            return R.S2VmidTooWide;
        }

        return R.None;
    }

    private static R CheckStage1(ReadOnlySpan<ulong> ste, bool s2, ConfigFeatures f)
    {
        if (Ste.S1STALLD.IsSet(ste) && f.StallModel != 0)
        {
            return R.S1StallDisableWithoutStallModel;
        }

        var cdMax = (int)Ste.S1CDMax.Get(ste);
        if (f.SsidSize != 0 && cdMax > f.SsidSize)
        {
            return R.S1CDMaxTooLarge;
        }

        var fmt = Ste.S1Fmt.Get(ste);
        if (f.SsidSize != 0 && cdMax != 0 && !f.Cd2L && fmt is 1 or 2)
        {
            return R.S1FmtTwoLevelNotSupported;
        }

        // An IPA must fit the IAS when stage 2 translates it, a PA the OAS.
        var limit = s2 ? f.IasBits : f.OasBits;
        return (Ste.S1ContextPtr.GetAddress(ste) >> limit) != 0 ? R.S1ContextPtrOutOfRange : R.None;
    }

    private static R CheckStage2(ReadOnlySpan<ulong> ste, bool s2s, ConfigFeatures f, out WalkParameters? stage2, out int concat)
    {
        stage2 = null;
        concat = 0;
        if (s2s && f.StallModel == 0b01)
        {
            return R.S2StallNotSupported;
        }

        if (!s2s && f.StallModel == 0b10)
        {
            return R.S2StallForced;
        }

        // S2AA64 = 0 selects VMSAv8-32 LPAE, which needs IDR0.TTF[0]; this model implements only
        // VMSAv8-64 (TTF = 0b10), so it is always ILLEGAL here.
        if (!Ste.S2AA64.IsSet(ste) || (f.Ttf & Idr0.TtfAArch64Bit) == 0)
        {
            return R.S2AArch32NotSupported;
        }

        var ha = Ste.S2HA.IsSet(ste);
        var hd = Ste.S2HD.IsSet(ste);
        if (((ha || hd) && f.Httu == 0) || (hd && f.Httu == 1))
        {
            return R.S2HttuNotSupported;
        }

        if (GranuleGeometry.FromTg0((uint)Ste.S2TG.Get(ste)) is not { } g || !f.Supports(g))
        {
            return R.S2GranuleInvalid;
        }

        var psBits = Math.Min(AddressSize.ToBits((uint)Ste.S2PS.Get(ste)), f.OasBits);
        var ttb = Ste.S2TTB.GetAddress(ste);
        if ((ttb >> psBits) != 0 || (g != Granule.Size64K && (ttb >> 48) != 0))
        {
            return R.S2TtbOutOfRange;
        }

        var t0sz = (int)Ste.S2T0SZ.Get(ste);
        var max = !f.Stt ? 39 : g == Granule.Size64K ? 47 : 48;
        var min = Math.Max(g == Granule.Size64K ? 12 : 16, 64 - f.IasBits);
        if (t0sz < min || t0sz > max)
        {
            return R.S2T0SZOutOfRange;
        }

        if (!Stage2Geometry.TryGetStartLevel(g, t0sz, (uint)Ste.S2SL0.Get(ste), f.OasBits, out var start, out concat))
        {
            return R.S2StartLevelInconsistent;
        }

        if (!f.EndiannessSupported(Ste.S2ENDI.IsSet(ste)))
        {
            return R.S2EndiannessNotSupported;
        }

        var inputBits = 64 - t0sz;
        var align = Math.Max(Stage2Geometry.StartTableAlignmentBits(g, inputBits, start), psBits == 52 ? 6 : 4);
        stage2 = new WalkParameters(
            ttb & ~((1UL << align) - 1), g, inputBits, start, psBits, AccessFlagFaultDisabled: Ste.S2AFFD.IsSet(ste));
        return R.None;
    }
}
