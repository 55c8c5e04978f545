using SmmuLab.Architecture.Commands;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Which translations an invalidation may have made stale, as seen from outside the SMMU: by
/// StreamID range, SubstreamID, VMID, ASID and input address range. A field left open (null, or a
/// full range) means every value. The scope is never narrower than what the SMMU itself removes,
/// so a cache of translations kept beside the model stays correct when it drops every translation
/// in scope; it may be wider (it does not name translation regimes, stages or global entries).
/// </summary>
/// <param name="Opcode">The command that invalidated, or null for a reset or a register write (CR0.SMMUEN, GBPA) that changes every translation.</param>
/// <param name="FirstStreamId">First StreamID concerned.</param>
/// <param name="LastStreamId">Last StreamID concerned, inclusive.</param>
/// <param name="SubstreamId">
/// The SubstreamID concerned, or null for all. Transactions without a SubstreamID are concerned by
/// a scope naming SubstreamID 0 (they use CD 0 when the STE's S1DSS says so).
/// </param>
/// <param name="Vmid">The VMID concerned, or null for all.</param>
/// <param name="Asid">The ASID concerned, or null for all.</param>
/// <param name="FirstAddress">First input address (VA or IPA) concerned.</param>
/// <param name="LastAddress">Last input address concerned, inclusive.</param>
public readonly record struct InvalidationScope(
    Opcode? Opcode,
    uint FirstStreamId = 0,
    uint LastStreamId = uint.MaxValue,
    uint? SubstreamId = null,
    ushort? Vmid = null,
    ushort? Asid = null,
    ulong FirstAddress = 0,
    ulong LastAddress = ulong.MaxValue)
{
    /// <summary>Every translation of every stream.</summary>
    public bool All => FirstStreamId == 0 && LastStreamId == uint.MaxValue && SubstreamId is null && Vmid is null && Asid is null
        && FirstAddress == 0 && LastAddress == ulong.MaxValue;

    /// <summary>Every translation: a reset, or a register write that changes how every transaction is handled.</summary>
    public static InvalidationScope Everything(Opcode? opcode = null) => new(opcode);

    /// <summary>
    /// True when a translation of <paramref name="sid"/> (and <paramref name="ssid"/>) for input
    /// addresses [<paramref name="first"/>, <paramref name="last"/>] is in scope, whatever its VMID
    /// and ASID (a cache that does not record them treats every VMID and ASID as concerned).
    /// </summary>
    public bool Covers(uint sid, uint? ssid, ulong first, ulong last) =>
        sid >= FirstStreamId && sid <= LastStreamId
        && (SubstreamId is not { } s || (ssid ?? 0) == s)
        && first <= LastAddress && last >= FirstAddress;
}
