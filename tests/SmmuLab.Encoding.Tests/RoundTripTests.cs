using CsCheck;
using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Commands;

namespace SmmuLab.Encoding.Tests;

/// <summary>encode then decode gives back every field, for every opcode, over random values.</summary>
public class RoundTripTests
{
    public static TheoryData<Opcode> Opcodes() => [.. CommandLayouts.All];

    /// <summary>A random value the field can hold, in the form <c>encode</c> takes (addresses in place).</summary>
    private static ulong Fit(Field f, ulong raw) => f.Kind == FieldKind.Address ? raw & f.InPlaceMask : raw & f.ValueMask;

    private static IEnumerable<Field> SettableFields(Opcode op) => CommandLayouts.For(op)!.Fields.Where(f => f != CommandLayouts.Op);

    [Theory]
    [MemberData(nameof(Opcodes))]
    public void Each_field_alone_round_trips(Opcode op)
    {
        foreach (var field in SettableFields(op))
        {
            Gen.ULong.Sample(raw =>
            {
                var value = Fit(field, raw);
                var command = CommandEncoder.Encode(op.ToString(), [$"{field.Name}=0x{value:x}"]);
                Assert.True(command.IsSuccess, command.Error);
                Assert.Equal(op, command.Value.Opcode);
                Assert.Equal(value, field.Present([command.Value.Dw0, command.Value.Dw1]));

                // Nothing else is set: the other fields read zero and no reserved bit is touched.
                foreach (var other in SettableFields(op).Where(o => o != field))
                {
                    Assert.Equal(0UL, other.Present([command.Value.Dw0, command.Value.Dw1]));
                }

                Assert.False(CommandLayouts.For(op)!.HasReservedBitsSet([command.Value.Dw0, command.Value.Dw1]));
            }, iter: 200);
        }
    }

    [Theory]
    [MemberData(nameof(Opcodes))]
    public void All_fields_together_round_trip_through_the_decoder(Opcode op)
    {
        var fields = SettableFields(op).ToArray();
        Gen.ULong.Array[fields.Length].Sample(raws =>
        {
            var values = fields.Select((f, i) => Fit(f, raws[i])).ToArray();
            var text = CommandEncoder.EncodeToText(op.ToString(), fields.Select((f, i) => $"{f.Name}={values[i]}"));
            Assert.True(text.IsSuccess, text.Error);

            var decoded = StructureDecoder.Decode("cmd", text.Value.Split(' '));
            Assert.True(decoded.IsSuccess, decoded.Error);
            var lines = decoded.Value.Split('\n');
            Assert.StartsWith(op.ToString(), lines[0], StringComparison.Ordinal);
            for (var i = 0; i < fields.Length; i++)
            {
                var line = lines.Single(l => l.TrimStart().StartsWith(fields[i].Name + " ", StringComparison.Ordinal));
                Assert.Contains($"= 0x{values[i]:x}", line, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("reserved bits set", decoded.Value, StringComparison.Ordinal);
        }, iter: 100);
    }

    [Fact]
    public void Every_reserved_bit_is_reported()
    {
        foreach (var op in CommandLayouts.All)
        {
            var layout = CommandLayouts.For(op)!;
            for (var dw = 0; dw < 2; dw++)
            {
                for (var bit = 0; bit < 64; bit++)
                {
                    if ((layout.ReservedMask[dw] & (1UL << bit)) == 0)
                    {
                        continue;
                    }

                    ulong[] words = [(ulong)op, 0];
                    words[dw] |= 1UL << bit;
                    var text = StructureDecoder.DecodeCommand(new Command(words[0], words[1]));
                    Assert.Contains($"reserved bits set in dw{dw}: 0x{1UL << bit:x16} -> CERROR_ILL on an SMMU that checks them, ignored on one that does not (IHI0070 4.1.5)", text, StringComparison.Ordinal);
                }
            }
        }
    }
}
