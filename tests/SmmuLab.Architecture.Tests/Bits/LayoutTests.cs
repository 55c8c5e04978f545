using System.Reflection;
using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Architecture.Tests.Bits;

public class LayoutTests
{
    /// <summary>Every static Layout in the assembly, found by reflection so a new one is covered too.</summary>
    public static TheoryData<string> AllLayoutHolders()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(Layout).Assembly.GetTypes())
        {
            if (type.GetFields(BindingFlags.Public | BindingFlags.Static).Any(f => f.FieldType == typeof(Layout)))
            {
                data.Add(type.FullName!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllLayoutHolders))]
    public void Every_static_layout_constructs_without_overlap(string typeName)
    {
        var type = typeof(Layout).Assembly.GetType(typeName)!;
        foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(Layout)))
        {
            // Reading the field runs the type initializer, which throws if two fields overlap.
            var layout = (Layout)f.GetValue(null)!;
            Assert.NotEmpty(layout.Fields);
            Assert.Equal(layout.Dwords, layout.ReservedMask.Count);
        }
    }

    [Fact]
    public void Named_layouts_construct()
    {
        Assert.Equal(8, Ste.Layout.Dwords);
        Assert.Equal(8, Cd.Layout.Dwords);
        Assert.Equal(4, EventRecord.TranslationLayout.Dwords);
        Assert.Equal(4, EventRecord.FetchLayout.Dwords);
        Assert.Equal(1, Descriptor.Layout.Dwords);
        Assert.Equal(1, L1Std.Layout.Dwords);
        Assert.Equal(1, L1Cd.Layout.Dwords);
    }

    [Fact]
    public void Every_opcode_has_a_two_dword_layout_starting_with_op()
    {
        foreach (var op in CommandLayouts.All)
        {
            var layout = CommandLayouts.For(op);
            Assert.NotNull(layout);
            Assert.Equal(op.ToString(), layout.Name);
            Assert.Equal(CommandLayouts.Dwords, layout.Dwords);
            Assert.Equal(CommandLayouts.Op, layout.Fields[0]);
            Assert.Same(layout, CommandLayouts.For((byte)op));
        }
    }

    [Fact]
    public void Reserved_opcodes_have_no_layout()
    {
        var defined = CommandLayouts.All.Select(op => (byte)op).ToHashSet();
        for (var b = 0; b < 256; b++)
        {
            if (!defined.Contains((byte)b))
            {
                Assert.Null(CommandLayouts.For((byte)b));
            }
        }
    }

    [Fact]
    public void Overlapping_fields_are_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Layout("X", 1, new Field("a", 0, 0, 4), new Field("b", 0, 3, 2)));
        Assert.Contains("overlaps", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(0, 60, 5)]
    [InlineData(0, -1, 2)]
    public void Fields_outside_the_structure_are_refused(int dword, int lo, int width) =>
        Assert.Throws<ArgumentException>(() => new Layout("X", 1, new Field("a", dword, lo, width)));

    [Fact]
    public void Duplicate_names_are_refused() =>
        Assert.Throws<ArgumentException>(() => new Layout("X", 1, new Field("a", 0, 0, 1), new Field("A", 0, 1, 1)));

    [Fact]
    public void Reserved_mask_is_every_bit_no_field_defines()
    {
        var layout = new Layout("X", 2, new Field("a", 0, 0, 8), new Field("b", 0, 32, 32), new Field("c", 1, 4, 4));
        Assert.Equal(0x0000_0000_FFFF_FF00UL, layout.ReservedMask[0]);
        Assert.Equal(~0xF0UL, layout.ReservedMask[1]);
        Assert.False(layout.HasReservedBitsSet([0xFFFF_FFFF_0000_00FFUL, 0xF0]));
        Assert.True(layout.HasReservedBitsSet([0x100, 0]));
        Assert.True(layout.HasReservedBitsSet([0, 1]));
    }

    [Fact]
    public void Fields_are_found_by_name_ignoring_case()
    {
        Assert.True(Ste.Layout.TryGetField("s1contextptr", out var f));
        Assert.Equal(Ste.S1ContextPtr, f);
        Assert.False(Ste.Layout.TryGetField("nonesuch", out _));
    }

    [Fact]
    public void Decode_presents_every_field_in_order()
    {
        var layout = new Layout("X", 1, new Field("v", 0, 0, 1), new Field("ptr", 0, 12, 36, FieldKind.Address));
        var decoded = layout.Decode([0x0000_1234_5678_9001UL]).ToList();
        Assert.Equal(["v", "ptr"], decoded.Select(d => d.Field.Name));
        Assert.Equal(1UL, decoded[0].Value);
        Assert.Equal(0x0000_1234_5678_9000UL, decoded[1].Value);
    }

    [Fact]
    public void Command_reserved_masks_match_the_spec_layouts()
    {
        // CMD_SYNC: OP [7:0], CS [13:12], MSH [23:22], MSIAttr [27:24], MSIData [63:32]; MSIAddress [55:2].
        var sync = CommandLayouts.For(Opcode.CMD_SYNC)!;
        Assert.Equal(0x0000_0000_F03F_CF00UL, sync.ReservedMask[0]);
        Assert.Equal(0xFF00_0000_0000_0003UL, sync.ReservedMask[1]);

        // CMD_TLBI_NH_VA: NUM [16:12], SCALE [25:20], VMID [47:32], ASID [63:48]; Leaf [0], TTL128 [7], TTL [9:8], TG [11:10], Addr [63:12].
        var va = CommandLayouts.For(Opcode.CMD_TLBI_NH_VA)!;
        Assert.Equal(0x0000_0000_FC0E_0F00UL, va.ReservedMask[0]);
        Assert.Equal(0x7EUL, va.ReservedMask[1]);

        // CMD_RESUME: SSec [10], Ac [12], Ab [13], StreamID [63:32]; STAG [15:0].
        var resume = CommandLayouts.For(Opcode.CMD_RESUME)!;
        Assert.Equal(0x0000_0000_FFFF_CB00UL, resume.ReservedMask[0]);
        Assert.Equal(0xFFFF_FFFF_FFFF_0000UL, resume.ReservedMask[1]);

        // CMD_PRI_RESP has no SSec: bit 10 is reserved.
        var pri = CommandLayouts.For(Opcode.CMD_PRI_RESP)!;
        Assert.NotEqual(0UL, pri.ReservedMask[0] & (1UL << 10));
    }
}
