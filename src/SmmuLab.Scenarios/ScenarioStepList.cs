using System.Collections;
using Tomlyn.Syntax;

namespace SmmuLab.Scenarios;

/// <summary>
/// A scenario's steps, parsed from their text on demand. The parser checks every step when the
/// file is read (so a bad step is refused before anything runs); a file of up to
/// <see cref="KeptSteps"/> steps keeps the parsed records, a longer one parses each again when it
/// is run, so memory holds the text and an offset per step, not a record per step.
/// </summary>
internal sealed class ScenarioStepList : IReadOnlyList<ScenarioStep>
{
    /// <summary>Steps kept parsed; beyond this they are parsed again on each use.</summary>
    public const int KeptSteps = 20_000;

    private readonly string path;
    private readonly string text;
    private readonly ScenarioBlocks.StepBlock[] blocks;
    private readonly List<SmmuSpec> smmus;
    private readonly List<DeviceSpec> devices;
    private readonly List<DomainSpec> domains;
    private readonly Machines.MemoryMap memory;
    private readonly ScenarioStep[]? kept;

    internal ScenarioStepList(string path, string text, List<ScenarioBlocks.StepBlock> blocks, List<SmmuSpec> smmus, List<DeviceSpec> devices, List<DomainSpec> domains,
        Machines.MemoryMap memory)
    {
        this.memory = memory;
        this.path = path;
        this.text = text;
        this.blocks = [.. blocks];
        this.smmus = smmus;
        this.devices = devices;
        this.domains = domains;
        kept = this.blocks.Length <= KeptSteps ? new ScenarioStep[this.blocks.Length] : null;
        for (var i = 0; i < this.blocks.Length; i++)
        {
            var step = Parse(i);
            if (kept is not null)
            {
                kept[i] = step;
            }
        }
    }

    public int Count => blocks.Length;

    public ScenarioStep this[int index] => kept?[index] ?? Parse(index);

    public IEnumerator<ScenarioStep> GetEnumerator()
    {
        for (var i = 0; i < blocks.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private ScenarioStep Parse(int index)
    {
        var block = blocks[index];
        var blockText = text.Substring(block.Offset, block.Length);
        var offset = block.Line - 1;
        var doc = TomlSyntax.Parse(blockText, path, block.Line);
        foreach (var diagnostic in doc.Diagnostics)
        {
            if (diagnostic.Kind == DiagnosticMessageKind.Error)
            {
                var line = diagnostic.Span.Start.Line + 1;
                throw new ScenarioFormatException(path, line + offset, ScenarioParser.KeyOnLine(blockText, line), diagnostic.Message);
            }
        }

        var tables = doc.Tables.ToList();
        if (doc.KeyValues.ChildrenCount != 0 || tables.Count != 1 || tables[0] is not TableArraySyntax table)
        {
            throw new ScenarioFormatException(path, block.Line, $"step[{index}]", "a [[step]] table could not be read on its own (is a table header inside a multi-line value?)");
        }

        var reader = new TomlTableReader(path, $"step[{index}]", TomlTableReader.LineOf(table), table.Items, offset);
        return ScenarioStepParser.Parse(reader, index, smmus, devices, domains, memory);
    }
}
