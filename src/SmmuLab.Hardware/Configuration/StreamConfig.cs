using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using SmmuLab.Hardware.Translation;
using InstCfgValue = SmmuLab.Architecture.StreamTable.InstCfg;
using PrivCfgValue = SmmuLab.Architecture.StreamTable.PrivCfg;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// A decoded Stream Table Entry (IHI0070 5.2), immutable, as a configuration cache holds it. An
/// STE is cached whatever its state (5.2.1), so an invalid or ILLEGAL STE is represented too:
/// <see cref="IllegalReason"/> is then not <see cref="ConfigFaultReason.None"/> and a transaction
/// using it records C_BAD_STE. Fields that the configuration makes IGNORED hold their defaults.
/// </summary>
internal sealed record StreamConfig
{
    /// <summary>The StreamID this STE was fetched for.</summary>
    public uint StreamId { get; init; }

    /// <summary>Why the STE is invalid or ILLEGAL (C_BAD_STE), or None.</summary>
    public ConfigFaultReason IllegalReason { get; init; }

    public bool IsLegal => IllegalReason == ConfigFaultReason.None;

    public StreamConfigKind Kind { get; init; }

    /// <summary>STE.Config as programmed.</summary>
    public uint Config { get; init; }

    public bool Stage1Enabled => Kind is StreamConfigKind.Stage1 or StreamConfigKind.Nested;

    public bool Stage2Enabled => Kind is StreamConfigKind.Stage2 or StreamConfigKind.Nested;

    // Stage 1 (IGNORED unless Config = 0b1x1)

    /// <summary>CD or L1CD table address: an IPA when stage 2 is enabled, else a PA.</summary>
    public ulong S1ContextPtr { get; init; }

    /// <summary>Effective S1Fmt: 0 linear, 1 2-level 4K leaves, 2 2-level 64K leaves (3 behaves as 0; IGNORED when substreams are off).</summary>
    public uint S1Fmt { get; init; }

    /// <summary>Effective S1CDMax: 0 when substreams are disabled or SSIDSIZE = 0.</summary>
    public int S1CDMax { get; init; }

    /// <summary>Effective S1DSS: 0 terminate, 1 bypass, 2 use CD 0 (3 behaves as 0).</summary>
    public uint S1DSS { get; init; }

    public bool S1StallDisable { get; init; }

    public uint S1CIR { get; init; }

    public uint S1COR { get; init; }

    public uint S1CSH { get; init; }

    /// <summary>True when the CD table holds more than one CD.</summary>
    public bool SubstreamsEnabled => S1CDMax > 0;

    // Stream-wide

    /// <summary>Effective EATS (0 when ATS is not implemented, for bypass, or 0b11 without DPT), before SMMU_CR0.ATSCHK.</summary>
    public uint Eats { get; init; }

    /// <summary>STE.STRW as programmed (IGNORED unless stage-1-only with HYP).</summary>
    public uint Strw { get; init; }

    public StreamWorld StreamWorld { get; init; }

    public bool Mev { get; init; }

    public uint ShCfg { get; init; }

    public bool MtCfg { get; init; }

    public uint MemAttr { get; init; }

    public uint AllocCfg { get; init; }

    /// <summary>Effective PRIVCFG: 0 use incoming, 0b10 unprivileged, 0b11 privileged (0 without IDR1.ATTR_PERMS_OVR).</summary>
    public uint PrivCfg { get; init; }

    /// <summary>Effective INSTCFG: 0 use incoming, 0b10 data, 0b11 instruction (0 without IDR1.ATTR_PERMS_OVR).</summary>
    public uint InstCfg { get; init; }

    /// <summary>S2VMID when it tags translations (stage 1 or 2 at NS-EL1), otherwise 0.</summary>
    public ushort Vmid { get; init; }

    /// <summary>True when TLB entries from this stream are VMID-tagged.</summary>
    public bool VmidTagged { get; init; }

    // Stage 2 (IGNORED unless Config = 0b11x)

    /// <summary>The stage-2 walk (S2TTB aligned, granule, IPA size, start level, effective S2PS), or null.</summary>
    public WalkParameters? Stage2 { get; init; }

    /// <summary>Number of concatenated stage-2 start-level tables (1..16).</summary>
    public int S2ConcatenatedTables { get; init; }

    /// <summary>S2R: record stage-2 faults.</summary>
    public bool S2Record { get; init; }

    /// <summary>S2S: stall on stage-2 faults.</summary>
    public bool S2Stall { get; init; }

    public bool S2Affd { get; init; }

    /// <summary>S2PTW: stage-1 walks and CD fetches to Device memory fault at stage 2.</summary>
    public bool S2Ptw { get; init; }

    public bool S2Ha { get; init; }

    public bool S2Hd { get; init; }

    public bool S2Fwb { get; init; }

    /// <summary>The eight double words as fetched.</summary>
    public ImmutableArray<ulong> Raw { get; init; } = [];

    /// <summary>True when the CD table pointers (and stage-1 tables) are IPAs.</summary>
    public bool ContextIsIpa => Kind == StreamConfigKind.Nested;

    /// <summary>
    /// The access a transaction of this stream is translated, permission-checked and reported as
    /// (5.2 PRIVCFG/INSTCFG, 13.1.2): a write is always Data; INSTCFG changes only reads; PRIVCFG
    /// applies to both. Allocation-free; the TLB-hit path calls it for every transaction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AccessKind EffectiveAccess(AccessKind incoming)
    {
        var access = incoming;
        if (access.IsWrite())
        {
            access &= ~AccessKind.Instruction;
        }
        else if (InstCfg == InstCfgValue.Instruction)
        {
            access |= AccessKind.Instruction;
        }
        else if (InstCfg == InstCfgValue.Data)
        {
            access &= ~AccessKind.Instruction;
        }

        return PrivCfg switch
        {
            PrivCfgValue.Privileged => access | AccessKind.Privileged,
            PrivCfgValue.Unprivileged => access & ~AccessKind.Privileged,
            _ => access,
        };
    }
}
