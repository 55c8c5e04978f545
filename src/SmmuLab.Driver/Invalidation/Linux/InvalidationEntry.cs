using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// One entry of an <see cref="InvalidationArray"/>: on which SMMU, what kind of cache, which tag
/// or StreamID, the ranged and the whole-tag opcodes, the SubstreamID (ATC types) or the log2 leaf
/// page size for range invalidation (TLB types, 0 without RIL), and the number of attachments that
/// need it.
/// </summary>
/// <remarks>
/// Everything but the user count is fixed once the entry is in a published array. The count
/// lives in <see cref="users"/>, which the array reads and writes with <see cref="Volatile"/>
/// through a reference to its own slot: an entry whose count reached 0 is trash, skipped by
/// readers until a merge or a purge drops it.
/// </remarks>
internal struct InvalidationEntry
{
    /// <summary>The user count; accessed in place in the array with Volatile reads and writes.</summary>
    internal int users;

    private readonly uint argument;

    /// <summary>
    /// An entry with explicit opcodes (<see cref="For"/> picks the usual ones). <paramref name="smmuOrdinal"/>
    /// is the SMMU's <see cref="IommuSystem.OrdinalOf"/> (0 with no SMMU).
    /// </summary>
    public InvalidationEntry(SmmuDriver? smmu, InvalidationType type, uint id, uint ssidOrPageShift, Opcode sizeOpcode, Opcode nsizeOpcode, int users = 0,
        int smmuOrdinal = 0)
    {
        Smmu = smmu;
        SmmuOrdinal = smmuOrdinal;
        Type = type;
        Id = id;
        argument = ssidOrPageShift;
        SizeOpcode = sizeOpcode;
        NsizeOpcode = nsizeOpcode;
        this.users = users;
    }

    /// <summary>The SMMU whose command queue receives this entry's commands (null only in unit-test fixtures).</summary>
    public SmmuDriver? Smmu { get; }

    /// <summary>The SMMU's ordinal: the first sort key, so that each SMMU's entries are contiguous.</summary>
    public int SmmuOrdinal { get; }

    public InvalidationType Type { get; }

    /// <summary>The ASID, the VMID or the StreamID, per <see cref="Type"/>.</summary>
    public uint Id { get; }

    /// <summary>Opcode for a ranged invalidation.</summary>
    public Opcode SizeOpcode { get; }

    /// <summary>Opcode when the whole tag is invalidated (the range is too big, or everything).</summary>
    public Opcode NsizeOpcode { get; }

    /// <summary>The SubstreamID of an ATC entry (0: none, SSV clear).</summary>
    public readonly uint Ssid => argument;

    /// <summary>log2 of the leaf page size of a TLB entry, for range invalidation; 0 when the SMMU has no RIL.</summary>
    public readonly int PageShift => (int)argument;

    /// <summary>The user count as stored in this copy (in an array, read it with <see cref="InvalidationArray.UsersAt"/>).</summary>
    public readonly int Users => users;

    /// <summary>
    /// An entry of <paramref name="type"/> with the driver's opcodes: stage 1 uses TLBI_NH_VA /
    /// TLBI_NH_ASID, or the EL2 forms when the SMMU runs with E2H; stage 2 TLBI_S2_IPA /
    /// TLBI_S12_VMALL; the nested stage-1 clear TLBI_NH_ALL for both; the ATC types CMD_ATC_INV.
    /// </summary>
    public static InvalidationEntry For(SmmuDriver? smmu, InvalidationType type, uint id, uint ssidOrPageShift = 0, int users = 0, int smmuOrdinal = 0)
    {
        var e2h = smmu?.Features.E2H ?? false;
        var (size, nsize) = type switch
        {
            InvalidationType.S1Asid => e2h ? (Opcode.CMD_TLBI_EL2_VA, Opcode.CMD_TLBI_EL2_ASID) : (Opcode.CMD_TLBI_NH_VA, Opcode.CMD_TLBI_NH_ASID),
            InvalidationType.S2Vmid => (Opcode.CMD_TLBI_S2_IPA, Opcode.CMD_TLBI_S12_VMALL),
            InvalidationType.S2VmidS1Clear => (Opcode.CMD_TLBI_NH_ALL, Opcode.CMD_TLBI_NH_ALL),
            InvalidationType.Ats or InvalidationType.AtsFull => (Opcode.CMD_ATC_INV, Opcode.CMD_ATC_INV),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown invalidation type"),
        };
        return new InvalidationEntry(smmu, type, id, ssidOrPageShift, size, nsize, users, smmuOrdinal);
    }

    /// <summary>
    /// The array order: SMMU, then type, then id, then — for the ATC types only — the SubstreamID.
    /// Opcodes, page size and users take no part.
    /// </summary>
    public static int Compare(in InvalidationEntry a, in InvalidationEntry b)
    {
        if (a.SmmuOrdinal != b.SmmuOrdinal)
        {
            return a.SmmuOrdinal < b.SmmuOrdinal ? -1 : 1;
        }

        if (a.Type != b.Type)
        {
            return a.Type < b.Type ? -1 : 1;
        }

        if (a.Id != b.Id)
        {
            return a.Id < b.Id ? -1 : 1;
        }

        if (a.Type.IsAts() && a.Ssid != b.Ssid)
        {
            return a.Ssid < b.Ssid ? -1 : 1;
        }

        return 0;
    }

    public override readonly string ToString() => Type.IsAts()
        ? $"{Smmu?.Name ?? "-"} {Type} sid 0x{Id:x} ssid {Ssid} x{users}"
        : $"{Smmu?.Name ?? "-"} {Type} {Id} pgshift {PageShift} x{users}";
}
