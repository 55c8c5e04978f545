using System.Collections.Immutable;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// A decoded Context Descriptor (IHI0070 5.4), immutable. Cached by (StreamID, CD index) whatever
/// its state; an ILLEGAL CD has <see cref="IllegalReason"/> set and its use records C_BAD_CD.
/// </summary>
internal sealed record ContextConfig
{
    /// <summary>The StreamID whose STE located this CD.</summary>
    public uint StreamId { get; init; }

    /// <summary>The CD's index in the CD table (the SubstreamID, or 0).</summary>
    public uint Index { get; init; }

    /// <summary>Why the CD is ILLEGAL (C_BAD_CD), or None.</summary>
    public ConfigFaultReason IllegalReason { get; init; }

    public bool IsLegal => IllegalReason == ConfigFaultReason.None;

    /// <summary>The StreamWorld of the STE that located the CD (it changes how the CD is read).</summary>
    public StreamWorld StreamWorld { get; init; }

    /// <summary>ASID, or 0 when the StreamWorld does not use ASIDs (NS-EL2).</summary>
    public ushort Asid { get; init; }

    /// <summary>ASET: 1 = ASID not shared with PE broadcast invalidation.</summary>
    public bool Aset { get; init; }

    /// <summary>The TTB0 walk, or null when disabled (EPD0 = 1).</summary>
    public WalkParameters? Tt0 { get; init; }

    /// <summary>The TTB1 walk, or null when disabled (EPD1 = 1) or unreachable (NS-EL2).</summary>
    public WalkParameters? Tt1 { get; init; }

    public bool Tbi0 { get; init; }

    public bool Tbi1 { get; init; }

    public bool Affd { get; init; }

    /// <summary>R: record stage-1 faults.</summary>
    public bool Record { get; init; }

    /// <summary>A: 1 = abort on terminate, 0 = RAZ/WI (TERM_MODEL = 0).</summary>
    public bool AbortOnTerminate { get; init; }

    /// <summary>S: stall on stage-1 faults.</summary>
    public bool Stall { get; init; }

    public bool Had0 { get; init; }

    public bool Had1 { get; init; }

    public bool Ha { get; init; }

    public bool Hd { get; init; }

    public bool Wxn { get; init; }

    public bool Uwxn { get; init; }

    public bool Pan { get; init; }

    /// <summary>Effective output size of stage 1: MIN(IPS, IDR5.OAS) in bits.</summary>
    public int OutputBits { get; init; }

    public ulong Mair { get; init; }

    public ulong Amair { get; init; }

    /// <summary>The eight double words as fetched.</summary>
    public ImmutableArray<ulong> Raw { get; init; } = [];

    /// <summary>
    /// Selects TTB0 or TTB1 for an input address (VMSAv8-64). With two VA ranges, VA[55] picks the
    /// range; bits [63:InputBits] (or [55:InputBits] under TBIx) must then all equal VA[55]. With
    /// one range (NS-EL2), only TTB0 exists and those bits must be zero. An address outside both
    /// ranges, or in the range of a disabled table (EPDx = 1), gets a stage-1 F_TRANSLATION.
    /// </summary>
    public TableSelection SelectTable(ulong va)
    {
        var upper = ((va >> 55) & 1) != 0;
        if (StreamWorld == StreamWorld.NsEl2)
        {
            return Tt0 is { } only && TopBitsMatch(va, only.InputBits, Tbi0, false)
                ? new TableSelection(true, 0, only)
                : TableSelection.None;
        }

        var table = upper ? Tt1 : Tt0;
        if (table is not { } p || !TopBitsMatch(va, p.InputBits, upper ? Tbi1 : Tbi0, upper))
        {
            return TableSelection.None;
        }

        return new TableSelection(true, upper ? 1 : 0, p);
    }

    private static bool TopBitsMatch(ulong va, int inputBits, bool tbi, bool ones)
    {
        var top = tbi ? 55 : 63;
        if (inputBits > top)
        {
            return true;
        }

        var mask = (ulong.MaxValue >> (63 - top)) & ~((1UL << inputBits) - 1);
        return (va & mask) == (ones ? mask : 0);
    }
}
