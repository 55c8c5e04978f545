using SmmuLab.Architecture.Commands;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Per opcode, the command bits that are reserved (RES0) for one SMMU on its Non-secure Command
/// queue: the bits no field of the layout defines (4.1.5), and the bits of defined fields that are
/// RES0 for this implementation. Computed once per device from its features, so the consumer's check
/// is two ANDs.
/// </summary>
/// <remarks>
/// The implementation-dependent RES0 bits are:
/// <list type="bullet">
/// <item>CMD_PREFETCH_ADDR.NS, RES0 on the Non-secure Command queue (4.2.2);</item>
/// <item>CMD_PREFETCH_ADDR.Stride, RES0 in SMMUv3.0 (4.2.2: "ignores the value or results in a CERROR_ILL");</item>
/// <item>the high bits of physical and IPA address fields (CMD_SYNC MSIAddress, CMD_TLBI_S2_IPA's IPA):
/// [55:52] in SMMUv3.1 to SMMUv3.3, [55:48] in SMMUv3.0 (4.1.6);</item>
/// <item>SCALE[5] of the address-based TLBIs without SMMU_IDR5.DS and TTL128 without SMMU_IDR5.D128
/// (4.4.1.1), neither of which this model implements.</item>
/// </list>
/// Under <see cref="ReservedFieldPolicy.Error"/> any of them is CERROR_ILL; under
/// <see cref="ReservedFieldPolicy.Ignore"/> they are cleared before the command executes.
/// </remarks>
internal sealed class CommandReservedBits
{
    private readonly ulong[] masks = new ulong[256 * CommandLayouts.Dwords];

    public CommandReservedBits(SmmuFeatures features)
    {
        for (var op = 0; op < 256; op++)
        {
            if (CommandLayouts.For((byte)op) is { } layout)
            {
                masks[op * 2] = layout.ReservedMask[0];
                masks[(op * 2) + 1] = layout.ReservedMask[1];
            }
        }

        Add(Opcode.CMD_PREFETCH_ADDR, CommandLayouts.PrefetchNs.InPlaceMask, dword: 1);
        if (features.ArchMinorRevision == 0)
        {
            Add(Opcode.CMD_PREFETCH_ADDR, CommandLayouts.PrefetchStride.InPlaceMask, dword: 1);
        }

        var physicalTop = features.ArchMinorRevision switch
        {
            0 => 48,
            < 4 => 52,
            _ => 56,
        };
        var unimplementedPhysical = ~((1UL << physicalTop) - 1);
        Add(Opcode.CMD_SYNC, CommandLayouts.MsiAddr.InPlaceMask & unimplementedPhysical, dword: 1);
        Add(Opcode.CMD_TLBI_S2_IPA, CommandLayouts.Ipa.InPlaceMask & unimplementedPhysical, dword: 1);

        var scale5 = 1UL << CommandLayouts.Scale.Hi;
        foreach (var op in (ReadOnlySpan<Opcode>)[Opcode.CMD_TLBI_NH_VA, Opcode.CMD_TLBI_NH_VAA, Opcode.CMD_TLBI_EL2_VA,
            Opcode.CMD_TLBI_EL2_VAA, Opcode.CMD_TLBI_EL3_VA, Opcode.CMD_TLBI_S2_IPA])
        {
            Add(op, scale5, dword: 0);
            Add(op, CommandLayouts.Ttl128.InPlaceMask, dword: 1);
        }
    }

    /// <summary>True when <paramref name="cmd"/> sets any bit reserved for its opcode (the opcode must be defined).</summary>
    public bool AnySet(in Command cmd)
    {
        var i = (byte)cmd.Opcode * 2;
        return ((cmd.Dw0 & masks[i]) | (cmd.Dw1 & masks[i + 1])) != 0;
    }

    /// <summary><paramref name="cmd"/> with its reserved bits cleared: what an SMMU that ignores them executes.</summary>
    public Command Clear(in Command cmd)
    {
        var i = (byte)cmd.Opcode * 2;
        return new Command(cmd.Dw0 & ~masks[i], cmd.Dw1 & ~masks[i + 1]);
    }

    /// <summary>The reserved mask of one double word of an opcode.</summary>
    public ulong Mask(Opcode op, int dword) => masks[((byte)op * 2) + dword];

    private void Add(Opcode op, ulong mask, int dword) => masks[((byte)op * 2) + dword] |= mask;
}
