namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// What one entry of a domain's invalidation array invalidates. The numeric order is the order in
/// which the commands go out for one SMMU: the TLB tags first, then the nested stage-1 clear, then
/// the device ATCs, so an ATC is never refilled from a stale IOTLB entry.
/// </summary>
internal enum InvalidationType : byte
{
    /// <summary>Stage-1 TLB entries of an ASID (VMID 0). Id is the ASID.</summary>
    S1Asid = 0,

    /// <summary>Stage-2 TLB entries of a VMID. Id is the VMID.</summary>
    S2Vmid = 1,

    /// <summary>A nesting parent's VMID: every nested stage-1 entry under it (TLBI_NH_ALL). Id is the VMID.</summary>
    S2VmidS1Clear = 2,

    /// <summary>A device ATC by range, for one SubstreamID. Id is the StreamID.</summary>
    Ats = 3,

    /// <summary>A device ATC, always entirely (nesting parent). Id is the StreamID.</summary>
    AtsFull = 4,
}

/// <summary>Extension methods on <see cref="InvalidationType"/>.</summary>
internal static class InvalidationTypeExtensions
{
    /// <summary>True for the ATC types (<see cref="InvalidationType.Ats"/>, <see cref="InvalidationType.AtsFull"/>).</summary>
    public static bool IsAts(this InvalidationType type) => type is InvalidationType.Ats or InvalidationType.AtsFull;
}
