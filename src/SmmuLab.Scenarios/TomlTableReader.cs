using Tomlyn.Syntax;

namespace SmmuLab.Scenarios;

/// <summary>
/// Typed, strict access to the keys of one TOML table (the document root or one [[...]] entry)
/// for <see cref="ScenarioParser"/>: every problem becomes a <see cref="ScenarioFormatException"/>
/// naming the file, the line of the key (or of the table header for a missing key) and the key path.
/// </summary>
internal sealed class TomlTableReader
{
    private readonly string file;
    private readonly string prefix;
    private readonly Dictionary<string, KeyValueSyntax> byName = new(StringComparer.Ordinal);
    private readonly List<(string Name, KeyValueSyntax Syntax)> ordered = [];
    private readonly int lineOffset;

    /// <param name="file">The file named in messages.</param>
    /// <param name="prefix">The table's path in messages (<c>step[2]</c>), empty for the root.</param>
    /// <param name="headerLine">1-based line of the table header in the parsed text.</param>
    /// <param name="items">The table's keys.</param>
    /// <param name="lineOffset">Lines before the parsed text in the file (a step parsed on its own), added to every line.</param>
    public TomlTableReader(string file, string prefix, int headerLine, IEnumerable<KeyValueSyntax> items, int lineOffset = 0)
    {
        this.file = file;
        this.prefix = prefix;
        this.lineOffset = lineOffset;
        HeaderLine = headerLine + lineOffset;
        foreach (var kv in items)
        {
            var name = KeyName(kv.Key?.Key);
            if (kv.Key is { DotKeys.ChildrenCount: > 0 })
            {
                throw new ScenarioFormatException(file, LineOf(kv) + lineOffset, Path(name), "dotted keys are not supported here");
            }

            byName[name] = kv;
            ordered.Add((name, kv));
        }
    }

    /// <summary>1-based line of the table header (line 1 for the document root).</summary>
    public int HeaderLine { get; }

    public bool Has(string key) => byName.ContainsKey(key);

    /// <summary>Rejects any key not in <paramref name="known"/>, suggesting the closest known key.</summary>
    public void AllowOnly(IReadOnlyCollection<string> known)
    {
        foreach (var (name, kv) in ordered)
        {
            if (!known.Contains(name))
            {
                var hint = Suggest(name, known);
                throw new ScenarioFormatException(file, LineOf(kv) + lineOffset, Path(name),
                    $"unknown key{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}; expected one of: {string.Join(", ", known)}");
            }
        }
    }

    public string RequireString(string key) => String(key) ?? throw Missing(key);

    public string? String(string key) => Value<StringValueSyntax>(key, "a string") is { } s ? s.Value ?? string.Empty : null;

    /// <summary>A string that must be one of <paramref name="allowed"/>.</summary>
    public string? Choice(string key, IReadOnlyCollection<string> allowed, string what)
    {
        var value = String(key);
        if (value is not null && !allowed.Contains(value))
        {
            throw Fail(key, $"unknown {what} '{value}' (expected one of: {string.Join(", ", allowed)})");
        }

        return value;
    }

    public bool? Bool(string key) => Value<BooleanValueSyntax>(key, "a boolean")?.Value;

    /// <summary>A non-negative integer no larger than <paramref name="max"/>.</summary>
    public ulong? UInt(string key, ulong max)
    {
        var v = Value<IntegerValueSyntax>(key, "an integer");
        return v is null ? null : CheckRange(key, v.Value, max);
    }

    /// <summary>A byte count no larger than <paramref name="max"/>: an integer or a string with a unit (<see cref="Quantities"/>).</summary>
    public ulong? Bytes(string key, ulong max) => byName.ContainsKey(key) ? Bytes(key, max, byName[key].Value) : null;

    /// <summary>A non-empty array of byte counts (integers or strings with units).</summary>
    public IReadOnlyList<ulong>? BytesArray(string key, ulong max) =>
        Array(key, "an array of sizes", item => item is IntegerValueSyntax or StringValueSyntax ? (true, Bytes(key, max, item)) : (false, 0UL));

    /// <summary>One size, or a non-empty array of sizes.</summary>
    public IReadOnlyList<ulong>? BytesArrayOrSingle(string key, ulong max) =>
        byName.TryGetValue(key, out var kv) && kv.Value is ArraySyntax ? BytesArray(key, max) : Bytes(key, max) is { } one ? [one] : null;

    /// <summary>A duration written as a string with a unit: "500ns", "10us", "1ms", "2s".</summary>
    public TimeSpan? Duration(string key)
    {
        var text = String(key);
        if (text is null)
        {
            return null;
        }

        return Quantities.TryParseDuration(text, out var d)
            ? d
            : throw Fail(key, $"'{text}' is not a duration (a whole number with ns, us, ms or s, e.g. \"10us\")");
    }

    /// <summary>A non-empty array of strings.</summary>
    public IReadOnlyList<string>? StringArray(string key) =>
        Array(key, "an array of strings", item => (item is StringValueSyntax, (item as StringValueSyntax)?.Value ?? string.Empty));

    /// <summary>A non-empty array of non-negative integers no larger than <paramref name="max"/>.</summary>
    public IReadOnlyList<ulong>? UIntArray(string key, ulong max) =>
        Array(key, "an array of integers", item => item is IntegerValueSyntax i ? (true, CheckRange(key, i.Value, max)) : (false, 0UL));

    public int LineOf(string key) => byName.TryGetValue(key, out var kv) ? LineOf(kv) + lineOffset : HeaderLine;

    public string Path(string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    public ScenarioFormatException Fail(string key, string problem) => new(file, LineOf(key), Path(key), problem);

    public ScenarioFormatException Missing(string key) => new(file, HeaderLine, Path(key), "required key is missing");

    internal static string KeyName(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => quoted.Value ?? string.Empty,
        _ => string.Empty,
    };

    internal static int LineOf(SyntaxNodeBase node) => node.Span.Start.Line + 1;

    private T? Value<T>(string key, string expected)
        where T : ValueSyntax
    {
        if (!byName.TryGetValue(key, out var kv))
        {
            return null;
        }

        return kv.Value as T ?? throw Fail(key, $"expected {expected}, found {Describe(kv.Value)}");
    }

    private IReadOnlyList<T>? Array<T>(string key, string expected, Func<ValueSyntax?, (bool Ok, T Value)> convert)
    {
        var array = Value<ArraySyntax>(key, expected);
        if (array is null)
        {
            return null;
        }

        var list = new List<T>();
        foreach (var item in array.Items)
        {
            var (ok, value) = convert(item.Value);
            if (!ok)
            {
                throw Fail(key, $"expected {expected}, found an element that is {Describe(item.Value)}");
            }

            list.Add(value);
        }

        return list.Count == 0 ? throw Fail(key, "must not be empty") : list;
    }

    private ulong Bytes(string key, ulong max, ValueSyntax? value)
    {
        switch (value)
        {
            case IntegerValueSyntax i:
                return CheckRange(key, i.Value, max);
            case StringValueSyntax s:
                var text = s.Value ?? string.Empty;
                if (!Quantities.TryParseBytes(text, out var bytes))
                {
                    throw Fail(key, $"'{text}' is not a size (a number with an optional unit: B, KiB, MiB, GiB, TiB)");
                }

                return bytes > max ? throw Fail(key, $"{text} is out of range (at most 0x{max:x} bytes)") : bytes;
            default:
                throw Fail(key, $"expected a size (an integer or a string such as \"4KiB\"), found {Describe(value)}");
        }
    }

    private ulong CheckRange(string key, long value, ulong max)
    {
        if (value < 0 || (ulong)value > max)
        {
            throw Fail(key, $"{value} is out of range (0..0x{max:x})");
        }

        return (ulong)value;
    }

    private static string Describe(ValueSyntax? value) => value switch
    {
        StringValueSyntax => "a string",
        IntegerValueSyntax => "an integer",
        BooleanValueSyntax => "a boolean",
        FloatValueSyntax => "a float",
        ArraySyntax => "an array",
        InlineTableSyntax => "an inline table",
        DateTimeValueSyntax => "a date-time",
        _ => "nothing",
    };

    private static string? Suggest(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: EditDistance(name, k))).MinBy(x => x.Distance);
        return best.Key is not null && best.Distance <= Math.Max(1, name.Length / 3) ? best.Key : null;
    }

    private static int EditDistance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
