using System.CommandLine;
using System.Text;
using SmmuLab.Architecture.Events;
using SmmuLab.Encoding;
using SmmuLab.Hardware.Products;
using SmmuLab.Scenarios;
using CommandLayouts = SmmuLab.Architecture.Commands.CommandLayouts;
using Opcode = SmmuLab.Architecture.Commands.Opcode;

namespace SmmuLab.Cli.Commands;

/// <summary><c>smmulab list features|products|opcodes|events</c>: the names the other commands and the scenario format take.</summary>
internal static class ListCommand
{
    /// <summary>What can be listed, each with the text it prints.</summary>
    private static readonly Dictionary<string, Func<string>> Lists = new(StringComparer.OrdinalIgnoreCase)
    {
        ["features"] = Features,
        ["products"] = Products,
        ["opcodes"] = Opcodes,
        ["events"] = Events,
    };

    public static Command Build()
    {
        var what = new Argument<string>("what") { Description = $"one of: {string.Join(", ", Lists.Keys)}" };
        var command = new Command("list", "List the SMMU features, products, command opcodes (with their fields) or event types SmmuLab knows")
        {
            what,
        };
        command.SetAction(parse =>
        {
            var name = parse.GetValue(what)!;
            return SmmulabApp.Report(parse, Lists.TryGetValue(name, out var list)
                ? Result<string>.Ok(list())
                : Result<string>.Fail($"cannot list '{SmmulabApp.Quote(name)}' (expected one of: {string.Join(", ", Lists.Keys)})"));
        });
        return command;
    }

    private static string Features()
    {
        var sb = new StringBuilder();
        sb.AppendLine("features of an [[smmu]] table (scenario-format.md):");
        sb.AppendLine($"  off unless listed:     {string.Join(", ", ScenarioFeatures.Optional)}");
        sb.AppendLine($"  on unless no-NAME:     {string.Join(", ", ScenarioFeatures.Basics)}");
        sb.AppendLine($"  granules (4K if none): {string.Join(", ", ScenarioFeatures.Granules)}");
        sb.AppendLine($"  oas (bits):            {string.Join(", ", ScenarioFeatures.OutputAddressSizes)}");
        sb.AppendLine($"  mode:                  {string.Join(", ", ScenarioFeatures.Modes)}");
        sb.Append($"  reserved-fields:       {string.Join(", ", ScenarioFeatures.ReservedFieldPolicies)}");
        return sb.ToString();
    }

    private static string Products()
    {
        var sb = new StringBuilder();
        sb.AppendLine("products (a scenario's product = \"NAME [rNpM]\"; the driver applies the errata of the IIDR it reads):");
        foreach (var name in ProductIdentity.ProductNames)
        {
            var id = ProductIdentity.Parse(name);
            sb.AppendLine(name == "generic" ? "  generic   no product errata" : $"  {name,-9} IIDR.ProductID 0x{id.ProductId:x3}, implementer 0x{id.Implementer:x3}");
        }

        return sb.ToString().TrimEnd('\n');
    }

    private static string Opcodes()
    {
        var sb = new StringBuilder();
        sb.AppendLine("opcode  name                  fields (smmulab encode NAME field=value ...)");
        foreach (var op in Enum.GetValues<Opcode>())
        {
            var shortName = OpcodeNames.ShortName(op)!;
            var fields = CommandEncoder.FieldNames(op);
            sb.AppendLine($"  0x{(byte)op:x2}  {shortName,-20}  {(fields.Count > 0 ? string.Join(", ", fields) : "none")}");
        }

        sb.Append($"  0x{(byte)Opcode.CMD_CFGI_STE_RANGE:x2}  {OpcodeNames.CfgiAll,-20}  ssec (CFGI_STE_RANGE with range = {CommandLayouts.CfgiAllRange})");
        return sb.ToString();
    }

    private static string Events()
    {
        var sb = new StringBuilder();
        sb.AppendLine("event  name (smmulab decode event W0 W1 W2 W3)");
        foreach (var id in Enum.GetValues<EventId>())
        {
            sb.AppendLine($"  0x{(byte)id:x2}  {id}");
        }

        return sb.ToString().TrimEnd('\n');
    }
}
