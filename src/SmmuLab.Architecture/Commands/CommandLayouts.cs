using SmmuLab.Architecture.Bits;

namespace SmmuLab.Architecture.Commands;

/// <summary>
/// Field layouts of every command (IHI0070 4.x). Commands are 16 bytes: dword0 and dword1. Field
/// names are the lower-case spec names the command line uses (<c>sid</c>, <c>asid</c>, <c>num</c>...).
/// Bits that no field defines are reserved: a command with any of them set is CERROR_ILL.
/// </summary>
/// <remarks>
/// Checked against IHI0070 chapter 4. Fields the architecture defines with a meaning that depends on
/// an ID register are laid out at their widest (SCALE is [25:20] for SMMU_IDR5.DS == 1; physical
/// addresses reach bit 55): the consumer checks the narrower case. Where Linux names a field
/// differently, the Linux name is kept when it is the one driver developers know (<c>grpid</c> is the
/// spec's PRGIndex, <c>global</c> the spec's G).
/// Not laid out yet: CMD_SYNC's MSI_NS (Realm queue only), and the opcodes <see cref="Opcode"/>
/// does not list (CMD_CFGI_VMS_PIDM 0x07, the Secure-EL2 TLBIs 0x50-0x5A, CMD_TLBI_SNH_ALL 0x60,
/// CMD_DPTI_ALL 0x70, CMD_DPTI_PA 0x73).
/// </remarks>
public static class CommandLayouts
{
    public const int Dwords = 2;
    public const int Bytes = 16;

    public static readonly Field Op = new("op", 0, 0, 8);
    public static readonly Field SSec = new("ssec", 0, 10, 1);
    public static readonly Field Ssv = new("ssv", 0, 11, 1);
    public static readonly Field Ssid = new("ssid", 0, 12, 20);
    public static readonly Field Sid = new("sid", 0, 32, 32);
    public static readonly Field Num = new("num", 0, 12, 5);

    /// <summary>Range TLBI SCALE [25:20] (4.4.1.1): six bits when SMMU_IDR5.DS == 1, else bit 25 is RES0.</summary>
    public static readonly Field Scale = new("scale", 0, 20, 6);

    /// <summary>
    /// Range TLBI SCALE as an SMMU without SMMU_IDR5.DS has it: [24:20] (4.4.1.1), the width Linux
    /// writes (<c>CMDQ_TLBI_0_SCALE</c>). Not part of any layout: it overlaps <see cref="Scale"/>.
    /// </summary>
    public static readonly Field Scale5 = new("scale", 0, 20, 5);

    public static readonly Field Vmid = new("vmid", 0, 32, 16);
    public static readonly Field Asid = new("asid", 0, 48, 16);
    public static readonly Field Leaf = new("leaf", 1, 0, 1);

    /// <summary>TTL128 [71] (4.4.1.1): the TTL hint is for 128-bit descriptors; RES0 when TG or TTL is 0.</summary>
    public static readonly Field Ttl128 = new("ttl128", 1, 7, 1);

    public static readonly Field Ttl = new("ttl", 1, 8, 2);
    public static readonly Field Tg = new("tg", 1, 10, 2);
    public static readonly Field Addr = new("addr", 1, 12, 52, FieldKind.Address);

    /// <summary>TLBI_S2_IPA's address: IPA [55:12] (4.1.6: physical and IPA fields are Address[55:12]).</summary>
    public static readonly Field Ipa = new("addr", 1, 12, 44, FieldKind.Address);

    /// <summary>CMD_PREFETCH_ADDR Size [68:64] (4.2.2): 2^Size translations, one every stride.</summary>
    public static readonly Field PrefetchSize = new("size", 1, 0, 5);

    /// <summary>
    /// CMD_PREFETCH_ADDR NS [71] (4.2.2): the NS attribute input to Secure stage 2. RES0 on the
    /// Non-secure Command queue (and whenever SMMU_S_IDR1.SEL2 == 0).
    /// </summary>
    public static readonly Field PrefetchNs = new("ns", 1, 7, 1);

    /// <summary>
    /// CMD_PREFETCH_ADDR Stride [75:72] (4.2.2): translations are prefetched every 2^(12 + Stride)
    /// bytes. RES0 in SMMUv3.0, where the stride is 4 KiB.
    /// </summary>
    public static readonly Field PrefetchStride = new("stride", 1, 8, 4);

    public static readonly Field Range = new("range", 1, 0, 5);
    public static readonly Field Global = new("global", 0, 9, 1);
    public static readonly Field AtcSize = new("size", 1, 0, 6);

    /// <summary>CMD_PRI_RESP PRGIndex [8:0] (4.5.2); Linux <c>CMDQ_PRI_1_GRPID</c>.</summary>
    public static readonly Field GrpId = new("grpid", 1, 0, 9);

    /// <summary>CMD_PRI_RESP Resp [13:12] (4.5.2; Linux <c>CMDQ_PRI_1_RESP</c>). CMD_PRI_RESP has no SSec.</summary>
    public static readonly Field PriResp = new("resp", 1, 12, 2);

    /// <summary>CMD_RESUME Action (Ac) [12]: 1 retry, 0 terminate (4.7.1).</summary>
    public static readonly Field ResumeAc = new("ac", 0, 12, 1);

    /// <summary>CMD_RESUME Abort (Ab) [13]: with Ac == 0, 1 aborts and 0 completes RAZ/WI (4.7.1).</summary>
    public static readonly Field ResumeAb = new("ab", 0, 13, 1);

    /// <summary>
    /// Linux's view of Ac and Ab as one field, <c>CMDQ_RESUME_0_RESP</c> [13:12] (TERM 0, RETRY 1,
    /// ABORT 2). Not part of any layout: it overlaps <see cref="ResumeAc"/> and <see cref="ResumeAb"/>.
    /// </summary>
    public static readonly Field ResumeResp = new("resp", 0, 12, 2);

    public static readonly Field Stag = new("stag", 1, 0, 16);
    public static readonly Field Cs = new("cs", 0, 12, 2);
    public static readonly Field Msh = new("msh", 0, 22, 2);
    public static readonly Field MsiAttr = new("msiattr", 0, 24, 4);
    public static readonly Field MsiData = new("msidata", 0, 32, 32);

    /// <summary>CMD_SYNC MSIAddress [55:2] (4.7.3); bits [55:52] are RES0 before SMMUv3.4.</summary>
    public static readonly Field MsiAddr = new("msiaddr", 1, 2, 54, FieldKind.Address);

    /// <summary>CMD_CFGI_STE_RANGE.Range covering every StreamID: the command is then CMD_CFGI_ALL (4.3.6).</summary>
    public const uint CfgiAllRange = 31;

    /// <summary>CMD_ATC_INV.Size meaning "invalidate everything" (Linux <c>ATC_INV_SIZE_ALL</c>).</summary>
    public const int AtcInvSizeAll = 52;

    /// <summary>CMD_ATC_INV.Size counts 2^Size pages of 4 KiB (4.5.1): log2 of that page.</summary>
    public const int AtcInvPageShift = 12;

    /// <summary>The maximum NUM in a range TLBI (Linux <c>CMDQ_TLBI_RANGE_NUM_MAX</c>).</summary>
    public const int TlbiRangeNumMax = 31;

    /// <summary>The largest SCALE of a range TLBI without SMMU_IDR5.DS (4.4.1.1: five bits).</summary>
    public const int TlbiRangeScaleMax = 31;

    private static readonly Layout?[] ByOpcode = Build();

    /// <summary>The layout of an opcode, or null for an opcode the architecture does not define.</summary>
    public static Layout? For(Opcode op) => ByOpcode[(byte)op];

    /// <summary>The layout of an opcode byte, or null.</summary>
    public static Layout? For(byte op) => ByOpcode[op];

    /// <summary>Every defined opcode.</summary>
    public static IEnumerable<Opcode> All => Enum.GetValues<Opcode>();

    private static Layout?[] Build()
    {
        var t = new Layout?[256];
        void Add(Opcode op, params Field[] fields) => t[(byte)op] = new Layout(op.ToString(), Dwords, [Op, .. fields]);

        Add(Opcode.CMD_PREFETCH_CONFIG, SSec, Ssv, Ssid, Sid);
        Add(Opcode.CMD_PREFETCH_ADDR, SSec, Ssv, Ssid, Sid, PrefetchSize, PrefetchNs, PrefetchStride, Addr);
        Add(Opcode.CMD_CFGI_STE, SSec, Sid, Leaf);
        Add(Opcode.CMD_CFGI_STE_RANGE, SSec, Sid, Range);
        Add(Opcode.CMD_CFGI_CD, SSec, Ssid, Sid, Leaf);
        Add(Opcode.CMD_CFGI_CD_ALL, SSec, Sid);
        Add(Opcode.CMD_TLBI_NH_ALL, Vmid);
        Add(Opcode.CMD_TLBI_NH_ASID, Vmid, Asid);
        Add(Opcode.CMD_TLBI_NH_VA, Num, Scale, Vmid, Asid, Leaf, Ttl128, Ttl, Tg, Addr);
        Add(Opcode.CMD_TLBI_NH_VAA, Num, Scale, Vmid, Leaf, Ttl128, Ttl, Tg, Addr);
        Add(Opcode.CMD_TLBI_EL3_ALL);
        Add(Opcode.CMD_TLBI_EL3_VA, Num, Scale, Leaf, Ttl128, Ttl, Tg, Addr);
        Add(Opcode.CMD_TLBI_EL2_ALL);
        Add(Opcode.CMD_TLBI_EL2_ASID, Asid);
        Add(Opcode.CMD_TLBI_EL2_VA, Num, Scale, Asid, Leaf, Ttl128, Ttl, Tg, Addr);
        Add(Opcode.CMD_TLBI_EL2_VAA, Num, Scale, Leaf, Ttl128, Ttl, Tg, Addr);
        Add(Opcode.CMD_TLBI_S12_VMALL, Vmid);
        Add(Opcode.CMD_TLBI_S2_IPA, Num, Scale, Vmid, Leaf, Ttl128, Ttl, Tg, Ipa);
        Add(Opcode.CMD_TLBI_NSNH_ALL);
        Add(Opcode.CMD_ATC_INV, Global, Ssv, Ssid, Sid, AtcSize, Addr);
        Add(Opcode.CMD_PRI_RESP, Ssv, Ssid, Sid, GrpId, PriResp);
        Add(Opcode.CMD_RESUME, SSec, ResumeAc, ResumeAb, Sid, Stag);
        Add(Opcode.CMD_STALL_TERM, SSec, Sid);
        Add(Opcode.CMD_SYNC, Cs, Msh, MsiAttr, MsiData, MsiAddr);
        return t;
    }
}
