using System.Text;
using SmmuLab.Architecture.Commands;
using SmmuLab.Encoding;

namespace SmmuLab.Verification;

/// <summary>A command an SMMU consumed, as the oracle remembers it.</summary>
/// <param name="Sequence">The oracle's running count of consumed commands (all SMMUs), from 0.</param>
/// <param name="Step">The step index it was consumed in.</param>
/// <param name="Smmu">The SMMU's name.</param>
/// <param name="Command">The command.</param>
public readonly record struct ConsumedCommand(long Sequence, int Step, string Smmu, Command Command)
{
    /// <summary>The opcode without its <c>CMD_</c> prefix, e.g. <c>TLBI_NH_VA</c>.</summary>
    public string Op => OpcodeNames.ShortName(Command.Opcode) ?? $"0x{(byte)Command.Opcode:x2}";

    /// <summary><c>#2 TLBI_NH_VA asid=0x5 leaf=0x1 addr=0x10000</c>: the op and its non-zero fields.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        sb.Append(Step < 0 ? "setup " : $"#{Step} ").Append(Op);
        if (CommandLayouts.For(Command.Opcode) is { } layout)
        {
            ReadOnlySpan<ulong> dwords = [Command.Dw0, Command.Dw1];
            foreach (var field in layout.Fields)
            {
                var value = field.Present(dwords);
                if (field.Name != CommandLayouts.Op.Name && value != 0)
                {
                    sb.Append(' ').Append(field.Name).Append("=0x").Append(value.ToString("x"));
                }
            }
        }

        return sb.ToString();
    }
}
