using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.StreamTable;
using R = SmmuLab.Hardware.Configuration.ConfigFaultReason;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Which CD a transaction uses, from its SubstreamID and a legal STE (IHI0070 5.2 S1CDMax, S1DSS;
/// 7.3.7 F_STREAM_DISABLED; 7.3.9 C_BAD_SUBSTREAMID).
/// </summary>
internal static class SubstreamRules
{
    /// <summary>
    /// Returns true with the CD index when a CD is needed. Returns false with
    /// <paramref name="result"/> set otherwise: a success without CD (stage 1 bypasses) or a fault.
    /// </summary>
    public static bool TrySelectCd(StreamConfig ste, uint? ssid, ConfigFeatures f, out uint index, out ConfigResult result)
    {
        index = 0;
        result = ConfigResult.Success(ste);
        if (ssid is { } s)
        {
            if (!ste.Stage1Enabled)
            {
                result = BadSubstream(R.SsidWithoutStage1, ste, s);
                return false;
            }

            if (f.SsidSize == 0 || ste.S1CDMax == 0)
            {
                result = BadSubstream(R.SsidWithSubstreamsDisabled, ste, s);
                return false;
            }

            if ((ulong)s >> ste.S1CDMax != 0)
            {
                result = BadSubstream(R.SsidOutOfRange, ste, s);
                return false;
            }

            if (s == 0 && ste.S1DSS == S1Dss.Ssid0)
            {
                result = Disabled(R.Substream0Reserved, ste);
                return false;
            }

            index = s;
            return true;
        }

        if (!ste.Stage1Enabled)
        {
            return false;
        }

        if (ste.S1CDMax == 0)
        {
            return true;
        }

        switch (ste.S1DSS)
        {
            case S1Dss.Bypass:
                return false;
            case S1Dss.Ssid0:
                return true;
            default:
                result = Disabled(R.NonSubstreamTrafficTerminated, ste);
                return false;
        }
    }

    private static ConfigResult BadSubstream(R reason, StreamConfig ste, uint ssid) =>
        ConfigResult.Failed(new ConfigFault(EventId.C_BAD_SUBSTREAMID, reason, ste.StreamId, ssid), ste);

    private static ConfigResult Disabled(R reason, StreamConfig ste) =>
        ConfigResult.Failed(new ConfigFault(EventId.F_STREAM_DISABLED, reason, ste.StreamId), ste);
}
