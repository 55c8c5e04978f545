using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>
/// A nested stream (SID 1, ASID 1, VMID 9) whose stage 1 maps a 2 MiB block and whose stage 2 maps the
/// block's IPAs with 4 KiB pages, so a DMA caches a 4 KiB combined entry inside the block. Software then
/// points the stage-1 block at other IPAs and invalidates by VA. CMD_TLBI_NH_VA has the scope of
/// VA(L)E1 (IHI0070 4.4, 4.4.2.4), and by Arm ARM D8.17 a stage-1 TLBI removes every TLB entry holding
/// information of the stage-1 block, even a smaller (splintered) entry that would not translate the
/// address given. CMD_TLBI_S2_IPA is not required to remove combined entries (IHI0070 4.4.3.1).
/// </summary>
public sealed class NestedSplinterInvalidationTests
{
    private const uint Sid = 1;
    private const ushort Asid = 1;
    private const ushort Vmid = 9;
    private const ulong BlockVa = 0x0040_0000;
    private const ulong OldIpa = 0x8000_0000;
    private const ulong NewIpa = 0x8020_0000;
    private const ulong OldPa = SmmuTestBed.Data;
    private const ulong NewPa = SmmuTestBed.Data + 0x10_0000;
    private const ulong Page = 0x1000;

    private static readonly Dictionary<string, Command> Stage1Invalidations = new()
    {
        ["NH_VA at the block base"] = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa, leaf: true),
        ["NH_VA at the block base, Leaf = 0"] = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa, leaf: false),
        ["NH_VA at the block base, TG = 4K, TTL = 2"] =
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa, leaf: true, tg: 1, ttl: 2),
        ["NH_VA range (RIL) [base + 1M, + 16K)"] =
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + 0x10_0000, leaf: true, tg: 1, num: 3),
        ["NH_VAA at the block base"] = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VAA, Vmid, 0, BlockVa, leaf: true),
    };

    public static TheoryData<string> Stage1InvalidationNames() => [.. Stage1Invalidations.Keys];

    [Theory]
    [MemberData(nameof(Stage1InvalidationNames))]
    public void IHI0070_4_4_and_ArmARM_D8_17_TLBI_NH_VA_of_a_stage1_block_removes_the_splintered_nested_entry(string name)
    {
        using var bed = CachedSplinter();
        bed.S1.Map(BlockVa, NewIpa, 2, PageTableBuilder.LeafS1 | Descriptor.NotGlobal);
        Assert.Equal(OldPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress); // still cached

        bed.Run(Stage1Invalidations[name]); // followed by CMD_SYNC

        Assert.Equal(NewPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);
    }

    [Fact]
    public void IHI0070_4_4_TLBI_NH_VA_outside_the_stage1_block_or_at_another_level_leaves_the_entry()
    {
        using var bed = CachedSplinter();
        bed.S1.Map(BlockVa, NewIpa, 2, PageTableBuilder.LeafS1 | Descriptor.NotGlobal);

        bed.Run(
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + 0x20_0000, leaf: true),
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + Page, leaf: true, tg: 1, ttl: 3)); // stage-1 leaf is level 2

        Assert.Equal(OldPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);
    }

    [Fact]
    public void IHI0070_4_4_3_1_TLBI_S2_IPA_alone_is_not_required_to_remove_the_nested_entry_and_NH_VAA_does()
    {
        using var bed = CachedSplinter();
        bed.MapS2(OldIpa + Page, NewPa + Page); // stage-2 change under the same stage-1 block

        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, Vmid, 0, OldIpa + Page, leaf: true));
        Assert.Equal(OldPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);

        // What 4.4.3.1 expects of software with combined entries: S2_IPA, then NH_VAA (here at the block base).
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VAA, Vmid, 0, BlockVa, leaf: true));
        Assert.Equal(NewPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);
    }

    [Fact]
    public void ArmARM_D8_17_a_stage1_page_over_a_stage2_block_is_invalidated_at_its_page_with_the_stage1_TTL()
    {
        const ulong newBlockPa = OldPa + 0x20_0000;
        using var bed = new SmmuTestBed();
        bed.ConfigureNested(Sid, Asid, Vmid);
        bed.MapS1(BlockVa + Page, OldIpa + Page);
        bed.S2.Map(OldIpa, OldPa, 2, PageTableBuilder.LeafS2);
        bed.S2.Map(NewIpa, newBlockPa, 2, PageTableBuilder.LeafS2);
        Assert.Equal(OldPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);
        bed.MapS1(BlockVa + Page, NewIpa + Page);

        // TTL = 2 is the stage-2 block's level, not the stage-1 leaf's: no removal is required.
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + Page, leaf: true, tg: 1, ttl: 2));
        Assert.Equal(OldPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);

        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, Vmid, Asid, BlockVa + Page, leaf: true, tg: 1, ttl: 3));
        Assert.Equal(newBlockPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);
    }

    /// <summary>Stage 1: 2M block BlockVa -> OldIpa; stage 2: 4K pages OldIpa/NewIpa + 0x1000 -> Old/NewPa + 0x1000; a DMA at BlockVa + 0x1000 cached.</summary>
    private static SmmuTestBed CachedSplinter()
    {
        var bed = new SmmuTestBed();
        bed.ConfigureNested(Sid, Asid, Vmid);
        bed.S1.Map(BlockVa, OldIpa, 2, PageTableBuilder.LeafS1 | Descriptor.NotGlobal);
        bed.MapS2(OldIpa + Page, OldPa + Page);
        bed.MapS2(NewIpa + Page, NewPa + Page);
        Assert.Equal(OldPa + Page, bed.Read(Sid, BlockVa + Page).PhysicalAddress);
        return bed;
    }
}
