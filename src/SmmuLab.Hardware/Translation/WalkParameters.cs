using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Translation;

/// <summary>
/// Everything a table walk of one translation table needs: the table base, granule, input size,
/// start level and the output-size limit. Built from a CD's TTB0/TTB1 half or from an STE's stage-2
/// fields by the configuration decoder; consumed by <c>TranslationWalker</c>.
/// </summary>
/// <param name="TableBase">PA (or, for a nested stage 1, IPA) of the start-level table, aligned.</param>
/// <param name="Granule">Translation granule.</param>
/// <param name="InputBits">64 - TxSZ.</param>
/// <param name="StartLevel">Level of the first lookup (0..3).</param>
/// <param name="OutputBits">Effective output size (min of IPS/PS and IDR5.OAS).</param>
/// <param name="AccessFlagFaultDisabled">CD.AFFD / STE.S2AFFD.</param>
/// <param name="HierarchicalPermissionsDisabled">CD.HADx: APTable/XNTable ignored.</param>
/// <param name="UpperRange">
/// The TTB1 half of a stage-1 VA space: the input address must have bits [63:InputBits] all ones
/// instead of all zeros (the caller applies TBI before the walk). Table indexing uses only
/// bits [InputBits-1:0]; TLB and walk-cache entries keep the full address.
/// </param>
/// <param name="WriteExecuteNever">CD.WXN (stage 1 only): a page writable at a privilege level is not executable at it.</param>
/// <param name="PrivilegedAccessNever">
/// CD.PAN (stage 1 only): a page readable at EL0 grants no privileged data access (instruction
/// fetches are not affected).
/// </param>
internal readonly record struct WalkParameters(
    ulong TableBase,
    Granule Granule,
    int InputBits,
    int StartLevel,
    int OutputBits,
    bool AccessFlagFaultDisabled = false,
    bool HierarchicalPermissionsDisabled = false,
    bool UpperRange = false,
    bool WriteExecuteNever = false,
    bool PrivilegedAccessNever = false);
