using SmmuLab.Architecture.Commands;

namespace SmmuLab.Encoding.Tests;

/// <summary>The one table of command names: spec names, short names, parsing.</summary>
public class OpcodeNamesTests
{
    [Fact]
    public void Every_defined_opcode_has_its_spec_name_and_the_short_name_without_CMD()
    {
        foreach (var op in CommandLayouts.All)
        {
            var spec = OpcodeNames.SpecName(op);
            Assert.Equal(CommandLayouts.For(op)!.Name, spec);
            Assert.Equal(spec, OpcodeNames.SpecName((byte)op));
            Assert.Equal(spec, OpcodeNames.SpecNameOrNumber(op));
            Assert.Equal("CMD_" + OpcodeNames.ShortName(op), spec);
        }
    }

    [Fact]
    public void Short_and_spec_names_parse_back_to_their_opcode()
    {
        foreach (var op in CommandLayouts.All)
        {
            Assert.True(OpcodeNames.TryParse(OpcodeNames.ShortName(op)!, out var fromShort, out var shortIsAll));
            Assert.True(OpcodeNames.TryParse(OpcodeNames.SpecName(op)!, out var fromSpec, out var specIsAll));
            Assert.Equal((op, op, false, false), (fromShort, fromSpec, shortIsAll, specIsAll));
        }
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x07)]
    [InlineData(0x50)]
    [InlineData(0xFF)]
    public void A_reserved_opcode_has_no_name(byte value)
    {
        Assert.Null(OpcodeNames.SpecName(value));
        Assert.Null(OpcodeNames.ShortName((Opcode)value));
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), OpcodeNames.SpecNameOrNumber((Opcode)value));
        Assert.False(OpcodeNames.TryParse($"0x{value:x2}", out _, out _));
    }

    [Fact]
    public void The_CFGI_all_alias_is_named_once() =>
        Assert.Equal(("CFGI_ALL", "CMD_CFGI_ALL"), (OpcodeNames.CfgiAll, OpcodeNames.CfgiAllSpecName));
}
