using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// The ID register fields the configuration checks depend on, read once from the values the SMMU
/// reports (so the checks follow IDR0/1/3/5 exactly, including fields <see cref="SmmuFeatures"/>
/// does not expose yet, such as HTTU, STT or TTENDIAN).
/// </summary>
internal sealed class ConfigFeatures
{
    public ConfigFeatures(SmmuFeatures features)
    {
        var idr0 = features.Idr0Value;
        var idr1 = features.Idr1Value;
        var idr3 = features.Idr3Value;
        var idr5 = features.Idr5Value;
        S1P = Idr0.S1P.IsSet(idr0);
        S2P = Idr0.S2P.IsSet(idr0);
        Ats = Idr0.ATS.IsSet(idr0);
        Ns1Ats = Idr0.NS1ATS.IsSet(idr0);
        Hyp = Idr0.HYP.IsSet(idr0);
        Httu = (uint)Idr0.HTTU.Get(idr0);
        Asid16 = Idr0.ASID16.IsSet(idr0);
        Vmid16 = Idr0.VMID16.IsSet(idr0);
        Cd2L = Idr0.CD2L.IsSet(idr0);
        TtEndian = (uint)Idr0.TTENDIAN.Get(idr0);
        Ttf = (uint)Idr0.TTF.Get(idr0);
        StallModel = (uint)Idr0.STALL_MODEL.Get(idr0);
        TermModel = (uint)Idr0.TERM_MODEL.Get(idr0);
        TwoLevelStreamTable = Idr0.ST_LEVEL.Get(idr0) == 1;
        SidSize = (int)Idr1.SIDSIZE.Get(idr1);
        SsidSize = (int)Idr1.SSIDSIZE.Get(idr1);
        AttrPermsOvr = Idr1.ATTR_PERMS_OVR.IsSet(idr1);
        Had = Idr3.HAD.IsSet(idr3);
        Stt = Idr3.STT.IsSet(idr3);
        OasBits = AddressSize.ToBits((uint)Idr5.OAS.Get(idr5));
        Vax = (uint)Idr5.VAX.Get(idr5);
        Gran4K = Idr5.GRAN4K.IsSet(idr5);
        Gran16K = Idr5.GRAN16K.IsSet(idr5);
        Gran64K = Idr5.GRAN64K.IsSet(idr5);
    }

    public bool S1P { get; }

    public bool S2P { get; }

    public bool Ats { get; }

    public bool Ns1Ats { get; }

    public bool Hyp { get; }

    public uint Httu { get; }

    public bool Asid16 { get; }

    public bool Vmid16 { get; }

    public bool Cd2L { get; }

    public uint TtEndian { get; }

    public uint Ttf { get; }

    public uint StallModel { get; }

    public uint TermModel { get; }

    public bool TwoLevelStreamTable { get; }

    public int SidSize { get; }

    public int SsidSize { get; }

    /// <summary>IDR1.ATTR_PERMS_OVR: STE.PRIVCFG and STE.INSTCFG take effect (otherwise they are RES0).</summary>
    public bool AttrPermsOvr { get; }

    public bool Had { get; }

    public bool Stt { get; }

    public int OasBits { get; }

    public uint Vax { get; }

    public bool Gran4K { get; }

    public bool Gran16K { get; }

    public bool Gran64K { get; }

    /// <summary>IAS: equal to OAS because VMSAv8-32 LPAE tables are not implemented (TTF[0] = 0).</summary>
    public int IasBits => (Ttf & Idr0.TtfAArch32Bit) != 0 ? Math.Max(40, OasBits) : OasBits;

    /// <summary>TTENDIAN = 0b10: little-endian tables only; 0b11: big-endian only.</summary>
    public bool EndiannessSupported(bool bigEndian) => TtEndian switch
    {
        0b10 => !bigEndian,
        0b11 => bigEndian,
        _ => true,
    };

    public bool Supports(Granule g) => g switch
    {
        Granule.Size4K => Gran4K,
        Granule.Size16K => Gran16K,
        _ => Gran64K,
    };
}
