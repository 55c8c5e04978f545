using System.Collections.Immutable;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Translation;
using R = SmmuLab.Hardware.Configuration.ConfigFaultReason;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Decodes and validates a CD located through a legal STE. The checks follow IHI0070 5.4.2
/// <c>CdIllegal</c> in its order; fields disabled by EPDx are not checked (5.4.1.1). VMSAv8-32,
/// VMSAv9-128, permission indirection and LPA2 (CD.DS) are not implemented by this model.
/// </summary>
internal static class CdDecoder
{
    public static ContextConfig Decode(uint sid, uint index, ReadOnlySpan<ulong> cd, StreamConfig ste, ConfigFeatures f)
    {
        var raw = ImmutableArray.Create(cd[..Cd.Dwords]);
        var shell = new ContextConfig { StreamId = sid, Index = index, StreamWorld = ste.StreamWorld, Raw = raw };
        var reason = Check(cd, ste, f, out var tt0, out var tt1, out var outputBits);
        if (reason != R.None)
        {
            return shell with { IllegalReason = reason };
        }

        var el2 = ste.StreamWorld == StreamWorld.NsEl2;
        return shell with
        {
            Asid = el2 ? (ushort)0 : (ushort)Cd.ASID.Get(cd),
            Aset = Cd.ASET.IsSet(cd),
            Tt0 = tt0,
            Tt1 = tt1,
            Tbi0 = Cd.TBI0.IsSet(cd),
            Tbi1 = !el2 && Cd.TBI1.IsSet(cd),
            Affd = Cd.AFFD.IsSet(cd),
            Record = Cd.R.IsSet(cd),
            AbortOnTerminate = Cd.A.IsSet(cd),
            Stall = Cd.S.IsSet(cd),
            Had0 = f.Had && Cd.HAD0.IsSet(cd),
            Had1 = f.Had && !el2 && Cd.HAD1.IsSet(cd),
            Ha = Cd.HA.IsSet(cd),
            Hd = Cd.HD.IsSet(cd),
            Wxn = Cd.WXN.IsSet(cd),
            Uwxn = Cd.UWXN.IsSet(cd),
            Pan = !el2 && Cd.PAN.IsSet(cd),
            OutputBits = outputBits,
            Mair = Cd.MAIR.Get(cd),
            Amair = Cd.AMAIR.Get(cd),
        };
    }

    private static R Check(ReadOnlySpan<ulong> cd, StreamConfig ste, ConfigFeatures f,
        out WalkParameters? tt0, out WalkParameters? tt1, out int outputBits)
    {
        tt0 = null;
        tt1 = null;
        outputBits = Math.Min(AddressSize.ToBits((uint)Cd.IPS.Get(cd)), f.OasBits);
        if (!Cd.V.IsSet(cd))
        {
            return R.CdNotValid;
        }

        var stall = Cd.S.IsSet(cd);
        if (ste.S1StallDisable && stall)
        {
            return R.CdStallDisabledBySte;
        }

        if (f.TermModel == 1 && !Cd.A.IsSet(cd))
        {
            return R.CdTerminateModelRequiresAbort;
        }

        if (f.StallModel == 0b01 && stall)
        {
            return R.CdStallNotSupported;
        }

        if (f.StallModel == 0b10 && !stall)
        {
            return R.CdStallForced;
        }

        // NS-EL2 has one VA range: EPD0 is effectively 0 and TTB1 is unreachable (5.4, 5.4.1).
        var el2 = ste.StreamWorld == StreamWorld.NsEl2;
        var off0 = !el2 && Cd.EPD0.IsSet(cd);
        var off1 = el2 || Cd.EPD1.IsSet(cd);
        if ((!off0 || !off1) && !f.EndiannessSupported(Cd.ENDI.IsSet(cd)))
        {
            return R.CdEndiannessNotSupported;
        }

        // AA64 = 0 selects VMSAv8-32 LPAE (needs IDR0.TTF[0]); only VMSAv8-64 is implemented.
        if (!Cd.AA64.IsSet(cd) || (f.Ttf & Idr0.TtfAArch64Bit) == 0)
        {
            return R.CdAArch32NotSupported;
        }

        var ha = Cd.HA.IsSet(cd);
        var hd = Cd.HD.IsSet(cd);
        if (((ha || hd) && f.Httu == 0) || (hd && f.Httu == 1) || (f.Httu == 3 && Cd.HAFT.IsSet(cd) && !ha))
        {
            return R.CdHttuNotSupported;
        }

        if (!el2 && !f.Asid16 && (Cd.ASID.Get(cd) >> 8) != 0)
        {
            return R.CdAsidTooWide;
        }

        // WXN and PAN act in the stage-1 permission check of both halves (5.4); PAN is IGNORED at NS-EL2.
        var wxn = Cd.WXN.IsSet(cd);
        var pan = !el2 && Cd.PAN.IsSet(cd);
        var tg0 = GranuleGeometry.FromTg0((uint)Cd.TG0.Get(cd));
        var tg1 = GranuleGeometry.FromTg1((uint)Cd.TG1.Get(cd));
        var t0sz = (int)Cd.T0SZ.Get(cd);
        var t1sz = (int)Cd.T1SZ.Get(cd);
        if (!off0 && TxSZInvalid(t0sz, tg0, f))
        {
            return R.CdT0SZOutOfRange;
        }

        if (!off1 && TxSZInvalid(t1sz, tg1, f))
        {
            return R.CdT1SZOutOfRange;
        }

        if (!off0)
        {
            if (tg0 is not { } g0 || !f.Supports(g0))
            {
                return R.CdTg0Invalid;
            }

            var ttb0 = Cd.TTB0.GetAddress(cd);
            if (TtbOutOfRange(ttb0, g0, outputBits))
            {
                return R.CdTtb0OutOfRange;
            }

            tt0 = Walk(ttb0, g0, t0sz, outputBits, Cd.AFFD.IsSet(cd), f.Had && Cd.HAD0.IsSet(cd), wxn, pan);
        }

        if (!off1)
        {
            if (tg1 is not { } g1 || !f.Supports(g1))
            {
                return R.CdTg1Invalid;
            }

            var ttb1 = Cd.TTB1.GetAddress(cd);
            if (TtbOutOfRange(ttb1, g1, outputBits))
            {
                return R.CdTtb1OutOfRange;
            }

            tt1 = Walk(ttb1, g1, t1sz, outputBits, Cd.AFFD.IsSet(cd), f.Had && Cd.HAD1.IsSet(cd), wxn, pan);
        }

        return R.None;
    }

    /// <summary>5.4.2 CDTxSZInvalid for VMSAv8-64 without LPA2: max 39 (48/47 with STT), min 16 (12 for 64K with 52-bit VAs).</summary>
    private static bool TxSZInvalid(int txsz, Granule? tg, ConfigFeatures f)
    {
        var max = !f.Stt ? 39 : tg == Granule.Size64K ? 47 : 48;
        var min = f.Vax != 0 && tg == Granule.Size64K ? 12 : 16;
        return txsz < min || txsz > max;
    }

    /// <summary>TTBx beyond the effective IPS, or beyond 48 bits with a granule smaller than 64K.</summary>
    private static bool TtbOutOfRange(ulong ttb, Granule g, int ipsBits) =>
        (ttb >> ipsBits) != 0 || (g != Granule.Size64K && (ttb >> 48) != 0);

    private static WalkParameters Walk(ulong ttb, Granule g, int txsz, int outputBits, bool affd, bool had, bool wxn, bool pan)
    {
        var inputBits = 64 - txsz;
        var start = g.StartLevel(inputBits);
        var align = Math.Max(3 + inputBits - g.LevelShift(start), outputBits == 52 ? 6 : 4);
        return new WalkParameters(ttb & ~((1UL << align) - 1), g, inputBits, start, outputBits, affd, had,
            WriteExecuteNever: wxn, PrivilegedAccessNever: pan);
    }
}
