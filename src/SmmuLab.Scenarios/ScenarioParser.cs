using System.Text.RegularExpressions;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Products;
using Tomlyn.Syntax;

namespace SmmuLab.Scenarios;

/// <summary>
/// Reads a scenario file (TOML, <c>docs/scenario-format.md</c>) into a <see cref="Scenario"/>.
/// Strict: a TOML syntax error, an unknown table or key, a value of the wrong type or out of range,
/// a reference to an undefined name, or a duplicate name throws <see cref="ScenarioFormatException"/>
/// naming the file, the 1-based line and the key (<c>step[2].iova</c>).
/// </summary>
public static partial class ScenarioParser
{
    /// <summary>The manifest name of the embedded default scenario.</summary>
    public const string DefaultResourceName = "SmmuLab.Scenarios.default.toml";

    /// <summary>The name the default scenario's messages and reports use.</summary>
    public const string DefaultScenarioPath = "<default>";

    public static readonly IReadOnlyList<string> TableNames = ["smmu", "device", "domain", "step"];

    public static readonly IReadOnlyList<string> DomainKinds = ["s1", "s2", "nest-parent", "nested", "sva", "identity", "blocked"];

    private static readonly string[] RootKeys = ["invalidation", "description", "range-fallback"];
    private static readonly string[] SmmuKeys = ["name", "features", "product", "oas", "sid-bits", "ssid-bits", "tlb-entries", "mode", "cmdqv", "reserved-fields", "wired-interrupts"];
    private static readonly string[] DeviceKeys = ["name", "smmu", "sids", "ats"];
    private static readonly string[] MachineKeys = ["ram-base", "ram", "kernel-base", "kernel-memory"];
    private static readonly string[] DomainKeys = ["name", "kind", "asid", "vmid", "smmu", "strict", "parent"];

    /// <summary>Largest scenario file read: 256 MiB (about two million steps).</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>
    /// Reads and parses a file. Reading stops with a <see cref="ScenarioFormatException"/> at the
    /// first character a text file cannot hold (a NUL or other control character, or bytes that are
    /// not UTF-8: a device such as /dev/zero, a binary file) and beyond <see cref="MaxFileBytes"/>,
    /// so no input makes it read without end. I/O errors (missing file...) propagate as <see cref="IOException"/>.
    /// </summary>
    public static Scenario ParseFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var reader = new StreamReader(stream, new System.Text.UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true);
        return ParseReader(reader, path);
    }

    /// <summary>
    /// Reads and parses scenario text from <paramref name="reader"/> (standard input, say) with the
    /// checks of <see cref="ParseFile"/>: the size limit and no character a text file cannot hold.
    /// <paramref name="name"/> names the input in messages.
    /// </summary>
    public static Scenario ParseReader(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var path = name;
        var buffer = new char[64 * 1024];
        var text = new System.Text.StringBuilder();
        var line = 1;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n')
                {
                    line++;
                }
                else if ((char.IsControl(c) && c is not ('\t' or '\r')) || c == '\uFFFD')
                {
                    throw new ScenarioFormatException(path, line, "file",
                        c == '\uFFFD' ? "not a text file: bytes that are not UTF-8" : $"not a text file: control character U+{(int)c:X4}");
                }
            }

            text.Append(buffer, 0, read);
            if (text.Length > MaxFileBytes)
            {
                throw new ScenarioFormatException(path, line, "file", $"larger than the {MaxFileBytes >> 20} MiB a scenario may have");
            }
        }

        return Parse(text.ToString(), path);
    }

    /// <summary>The embedded default scenario's text.</summary>
    public static string DefaultText()
    {
        using var stream = typeof(ScenarioParser).Assembly.GetManifestResourceStream(DefaultResourceName)
            ?? throw new InvalidOperationException($"embedded resource {DefaultResourceName} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The embedded default scenario.</summary>
    public static Scenario LoadDefault() => Parse(DefaultText(), DefaultScenarioPath);

    /// <summary>Parses scenario text; <paramref name="path"/> names the file in messages.</summary>
    public static Scenario Parse(string text, string path)
    {
        var (machineText, stepBlocks) = ScenarioBlocks.Split(text);
        var doc = TomlSyntax.Parse(machineText, path);
        foreach (var diagnostic in doc.Diagnostics)
        {
            if (diagnostic.Kind == DiagnosticMessageKind.Error)
            {
                var line = diagnostic.Span.Start.Line + 1;
                throw new ScenarioFormatException(path, line, KeyOnLine(text, line), diagnostic.Message);
            }
        }

        var root = new TomlTableReader(path, string.Empty, 1, doc.KeyValues);
        root.AllowOnly(RootKeys);
        var invalidation = root.Choice("invalidation", InvalidationDesigns.Names, "invalidation design") ?? Scenario.DefaultInvalidation;
        var description = root.String("description");
        var rangeFallback = root.Bool("range-fallback") ?? false;

        var tables = TableNames.ToDictionary(n => n, _ => new List<TomlTableReader>());
        var memory = Machines.MemoryMap.Default;
        foreach (var table in doc.Tables)
        {
            var name = table.Name is null ? string.Empty : TomlTableReader.KeyName(table.Name.Key);
            var line = TomlTableReader.LineOf(table);
            var dotted = table.Name?.DotKeys.ChildrenCount > 0;
            if (name == "machine" && table is not TableArraySyntax && !dotted && memory == Machines.MemoryMap.Default)
            {
                memory = ParseMachine(new TomlTableReader(path, name, line, table.Items));
                continue;
            }

            if (table is not TableArraySyntax || dotted || !tables.TryGetValue(name, out var list))
            {
                throw new ScenarioFormatException(path, line, name,
                    $"unknown table; a scenario has one [machine] table and [[{string.Join("]], [[", TableNames)}]] tables");
            }

            list.Add(new TomlTableReader(path, $"{name}[{list.Count}]", line, table.Items));
        }

        var smmus = tables["smmu"].Select(t => ParseSmmu(t) with { RangeFallback = rangeFallback }).ToList();
        if (smmus.Count == 0)
        {
            throw new ScenarioFormatException(path, 1, "smmu", "a scenario needs at least one [[smmu]] table");
        }

        CheckUnique(path, "smmu", smmus.Select(s => (s.Name, s.Line)));
        var devices = tables["device"].Select(t => ParseDevice(t, smmus)).ToList();
        CheckUnique(path, "device", devices.Select(d => (d.Name, d.Line)));
        CheckStreamIds(tables["device"], devices);
        var domains = tables["domain"].Select(t => ParseDomain(t, smmus)).ToList();
        CheckUnique(path, "domain", domains.Select(d => (d.Name, d.Line)));
        domains = ResolveNestedDomains(tables["domain"], domains, smmus);
        var steps = new ScenarioStepList(path, text, stepBlocks, smmus, devices, domains, memory);
        return new Scenario(path, description, invalidation, smmus, devices, domains, steps) { Memory = memory };
    }

    /// <summary>The [machine] table: where RAM is and which part of it the simulated kernel keeps for itself.</summary>
    private static Machines.MemoryMap ParseMachine(TomlTableReader t)
    {
        t.AllowOnly(MachineKeys);
        var d = Machines.MemoryMap.Default;
        const ulong max = Machines.MemoryMap.PhysicalLimit;
        var ramBase = t.Bytes("ram-base", max) ?? d.RamStart;
        var ram = t.Bytes("ram", max) ?? (d.RamEnd - d.RamStart);
        var kernelBase = t.Bytes("kernel-base", max) ?? ramBase;
        var kernel = t.Bytes("kernel-memory", max) ?? (d.KernelEnd - d.KernelStart);
        var map = new Machines.MemoryMap(ramBase, ramBase + ram, kernelBase, kernelBase + kernel);
        if (map.Problem() is { } problem)
        {
            // Blame a key the file wrote: the kernel's keys first for a problem with the kernel's region.
            string[] order = problem.Contains("kernel", StringComparison.Ordinal)
                ? ["kernel-memory", "kernel-base", "ram", "ram-base"]
                : ["ram-base", "ram", "kernel-base", "kernel-memory"];
            throw t.Fail(order.FirstOrDefault(t.Has) ?? "ram", problem);
        }

        return map;
    }

    private static SmmuSpec ParseSmmu(TomlTableReader t)
    {
        t.AllowOnly(SmmuKeys);
        var name = Name(t);
        var features = t.StringArray("features") ?? throw t.Missing("features");
        foreach (var f in features)
        {
            if (!ScenarioFeatures.IsKnown(f))
            {
                throw t.Fail("features", $"unknown feature '{f}' (known: {string.Join(", ", ScenarioFeatures.Known)})");
            }
        }

        if (ScenarioFeatures.Check(features) is { } contradiction)
        {
            throw t.Fail("features", contradiction);
        }

        var product = t.String("product") ?? ProductIdentity.Generic.Name;
        if (!ProductIdentity.TryParse(product, out _, out var productError))
        {
            throw t.Fail("product", productError);
        }

        var oas = (int?)t.UInt("oas", 52);
        if (oas is { } bits && !ScenarioFeatures.OutputAddressSizes.Contains(bits))
        {
            throw t.Fail("oas", $"{bits} is not an output address size (one of: {string.Join(", ", ScenarioFeatures.OutputAddressSizes)})");
        }

        var spec = new SmmuSpec(name, features, product, t.HeaderLine)
        {
            OutputAddressBits = oas,
            StreamIdBits = (int?)t.UInt("sid-bits", 32),
            SubstreamIdBits = (int?)t.UInt("ssid-bits", 20),
            TlbEntries = (int?)t.UInt("tlb-entries", 1 << 20),
            Mode = t.Choice("mode", ScenarioFeatures.Modes, "mode"),
            Cmdqv = t.Bool("cmdqv") ?? false,
            ReservedFields = t.Choice("reserved-fields", ScenarioFeatures.ReservedFieldPolicies, "reserved-fields policy"),
            WiredInterrupts = t.Bool("wired-interrupts"),
        };
        if (spec.WiredInterrupts == false && !features.Contains("msi"))
        {
            throw t.Fail("wired-interrupts", "an SMMU without wired interrupt lines needs the 'msi' feature (it would have no way to signal)");
        }

        if (spec.StreamIdBits >= 7 && features.Contains("no-2lvl-strtab"))
        {
            throw t.Fail("sid-bits", $"{spec.StreamIdBits} StreamID bits need a 2-level stream table (drop 'no-2lvl-strtab' or use at most 6)");
        }

        if (spec.TlbEntries is { } entries && (entries == 0 || entries % 4 != 0))
        {
            throw t.Fail("tlb-entries", $"{entries} is not a positive multiple of 4 (the TLB is 4-way)");
        }

        return spec;
    }

    private static DeviceSpec ParseDevice(TomlTableReader t, List<SmmuSpec> smmus)
    {
        t.AllowOnly(DeviceKeys);
        var name = Name(t);
        var smmuName = t.String("smmu") ?? (smmus.Count == 1 ? smmus[0].Name : throw t.Missing("smmu"));
        var smmu = smmus.FirstOrDefault(s => s.Name == smmuName) ?? throw Undefined(t, "smmu", smmuName, smmus.Select(s => s.Name));
        var sidBits = ScenarioFeatures.StreamIdBits(smmu);
        var sids = t.UIntArray("sids", uint.MaxValue) ?? throw t.Missing("sids");
        foreach (var sid in sids)
        {
            if (sidBits < 32 && sid >> sidBits != 0)
            {
                throw t.Fail("sids", $"StreamID 0x{sid:x} does not fit {smmu.Name}'s {sidBits} StreamID bits");
            }
        }

        return new DeviceSpec(name, smmu.Name, [.. sids.Select(s => (uint)s)], t.Bool("ats") ?? false, t.HeaderLine);
    }

    private static DomainSpec ParseDomain(TomlTableReader t, List<SmmuSpec> smmus)
    {
        t.AllowOnly(DomainKeys);
        var name = Name(t);
        var kind = t.Choice("kind", DomainKinds, "domain kind") ?? throw t.Missing("kind");
        var asid = (ushort?)t.UInt("asid", ushort.MaxValue);
        var vmid = (ushort?)t.UInt("vmid", ushort.MaxValue);
        if (asid is not null && kind is not ("s1" or "sva" or "nested"))
        {
            throw t.Fail("asid", $"a {kind} domain has no ASID (only s1, sva and nested domains do)");
        }

        if (vmid is not null && kind is not ("s2" or "nest-parent"))
        {
            throw t.Fail("vmid", $"a {kind} domain has no VMID (only s2 and nest-parent domains do)");
        }

        var smmu = t.String("smmu");
        if (smmu is not null && smmus.All(s => s.Name != smmu))
        {
            throw Undefined(t, "smmu", smmu, smmus.Select(s => s.Name));
        }

        var strict = t.Bool("strict");
        if (strict is not null && kind is not ("s1" or "s2"))
        {
            throw t.Fail("strict", $"only s1 and s2 domains have a DMA layer that can be lazy (this one is {kind})");
        }

        return new DomainSpec(name, kind, asid, vmid, smmu, t.HeaderLine) { Strict = strict ?? true, Parent = ParseParent(t, kind, asid) };
    }

    private static string Name(TomlTableReader t)
    {
        var name = t.RequireString("name");
        return name.Length == 0 || name.Any(char.IsWhiteSpace) ? throw t.Fail("name", "a name must be non-empty and without spaces") : name;
    }

    internal static ScenarioFormatException Undefined(TomlTableReader t, string key, string name, IEnumerable<string> defined)
    {
        var names = defined.ToList();
        return t.Fail(key, $"'{name}' is not defined ({(names.Count == 0 ? "there are none" : "defined: " + string.Join(", ", names))})");
    }

    private static void CheckUnique(string path, string table, IEnumerable<(string Name, int Line)> entries)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        foreach (var (name, line) in entries)
        {
            if (!seen.TryAdd(name, line))
            {
                throw new ScenarioFormatException(path, line, $"{table}[{index}].name",
                    $"duplicate {table} name '{name}' (first defined on line {seen[name]})");
            }

            index++;
        }
    }

    private static void CheckStreamIds(List<TomlTableReader> tables, List<DeviceSpec> devices)
    {
        var owners = new Dictionary<(string Smmu, uint Sid), string>();
        for (var i = 0; i < devices.Count; i++)
        {
            foreach (var sid in devices[i].Sids)
            {
                if (!owners.TryAdd((devices[i].Smmu, sid), devices[i].Name))
                {
                    var owner = owners[(devices[i].Smmu, sid)];
                    throw tables[i].Fail("sids", owner == devices[i].Name
                        ? $"StreamID 0x{sid:x} is listed twice"
                        : $"StreamID 0x{sid:x} on {devices[i].Smmu} already belongs to device '{owner}'");
                }
            }
        }
    }

    /// <summary>The key or table named on a line, for syntax errors; "toml" when there is none.</summary>
    internal static string KeyOnLine(string text, int line)
    {
        var lines = text.Split('\n');
        if (line < 1 || line > lines.Length)
        {
            return "toml";
        }

        var match = KeyPattern().Match(lines[line - 1]);
        return match.Success ? match.Groups["key"].Value.Trim() : "toml";
    }

    [GeneratedRegex(@"^\s*(?:\[\[?\s*(?<key>[^\]=]+?)\s*\]|(?<key>[A-Za-z0-9_.""' -]+?)\s*=)")]
    private static partial Regex KeyPattern();
}
