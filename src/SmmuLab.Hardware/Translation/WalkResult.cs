using SmmuLab.Architecture.Events;

namespace SmmuLab.Hardware.Translation;

/// <summary>
/// Outcome of a table walk or TLB lookup: either a translation of one naturally aligned block of
/// 2^<see cref="BlockShift"/> bytes, or a fault with the fields its event record needs.
/// </summary>
internal readonly record struct WalkResult
{
    /// <summary>True for a translation, false for a fault.</summary>
    public bool Ok { get; init; }

    /// <summary>Output address of the translated input address (not of the block base).</summary>
    public ulong OutputAddress { get; init; }

    /// <summary>log2 of the size of the block or page that maps the address.</summary>
    public int BlockShift { get; init; }

    /// <summary>Level of the leaf descriptor (1..3); of the stage-1 leaf for a nested translation.</summary>
    public int Level { get; init; }

    /// <summary>
    /// log2 of the stage-1 block or page a nested walk went through. It is at least <see cref="BlockShift"/>,
    /// and larger when stage 2 maps that block with smaller pages: the translation is then a splinter of the
    /// stage-1 block, and the TLB records the block so that stage-1 invalidations find it (Arm ARM D8.17).
    /// 0 for single-stage walks and for TLB hits (the cached block alone is reported).
    /// </summary>
    public int Stage1BlockShift { get; init; }

    public Permissions Permissions { get; init; }

    /// <summary>False when the stage-1 leaf had nG = 1 (the entry is tagged by ASID).</summary>
    public bool Global { get; init; }

    /// <summary>The fault's event type when <see cref="Ok"/> is false.</summary>
    public EventId Fault { get; init; }

    public bool FaultIsStage2 { get; init; }

    public FaultClass FaultClass { get; init; }

    /// <summary>IPA of a stage-2 fault (CD address, stage-1 descriptor address, or final IPA).</summary>
    public ulong FaultIpa { get; init; }

    /// <summary>Descriptor PA of an F_WALK_EABT.</summary>
    public ulong FetchAddress { get; init; }

    public static WalkResult Translated(ulong output, int blockShift, int level, Permissions perms, bool global) =>
        new() { Ok = true, OutputAddress = output, BlockShift = blockShift, Level = level, Permissions = perms, Global = global };

    /// <summary>A nested translation: the combined block and the stage-1 leaf's level and block shift.</summary>
    public static WalkResult TranslatedNested(ulong output, int blockShift, int stage1Level, int stage1BlockShift, Permissions perms,
        bool global) =>
        new()
        {
            Ok = true,
            OutputAddress = output,
            BlockShift = blockShift,
            Level = stage1Level,
            Stage1BlockShift = stage1BlockShift,
            Permissions = perms,
            Global = global,
        };

    public static WalkResult Faulted(EventId fault, bool stage2, FaultClass cls, ulong ipa = 0, ulong fetch = 0) =>
        new() { Ok = false, Fault = fault, FaultIsStage2 = stage2, FaultClass = cls, FaultIpa = ipa, FetchAddress = fetch };
}
