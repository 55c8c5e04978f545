using System.Globalization;
using System.Text.Json;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;

namespace SmmuLab.Tracing;

/// <summary>
/// Reads a JSON Lines trace back into <see cref="TraceRecord"/>s: what <see cref="TraceWriter"/>
/// wrote, it reads back equal. Keys a record derives from its double words (a command's fields, an
/// event's type and addresses) are not read; a command's <c>op</c> is checked against its dw0.
/// Blank lines are skipped; anything else that is not a record is a <see cref="TraceFormatException"/>.
/// </summary>
public static class TraceReader
{
    /// <summary>The records of <paramref name="reader"/>, one per non-blank line, as they are read.</summary>
    public static IEnumerable<TraceRecord> Read(TextReader reader)
    {
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return Parse(line, number);
            }
        }
    }

    /// <summary>One line; <paramref name="lineNumber"/> only goes into error messages.</summary>
    public static TraceRecord Parse(string line, int lineNumber = 0)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new TraceFormatException(lineNumber, $"not JSON: {e.Message}");
        }

        using (document)
        {
            var o = new Line(document.RootElement, lineNumber);
            var step = o.Int("step");
            return o.String("kind") switch
            {
                CommandTraceRecord.KindName => Command(o, step),
                EventTraceRecord.KindName => new EventTraceRecord(step, o.String("smmu"),
                    new EventRecord(o.Hex("dw0"), o.Hex("dw1"), o.Hex("dw2"), o.Hex("dw3"))),
                DmaTraceRecord.KindName => new DmaTraceRecord(step, o.String("device"), o.Access(), o.Hex("iova"), o.Hex("size"),
                    o.OptionalHex32("pasid"), o.Bool("ok"), o.Hex("bytes"), o.NullableString("fault")),
                StepTraceRecord.KindName => new StepTraceRecord(step, o.String("op"), o.Int("line"), o.String("description"),
                    o.Bool("passed"), o.String("outcome")),
                ViolationTraceRecord.KindName => Violation(o, step),
                var kind => throw o.Error($"unknown kind '{kind}'"),
            };
        }
    }

    private static CommandTraceRecord Command(Line o, int step)
    {
        var record = new CommandTraceRecord(step, o.String("smmu"), o.String("queue"), new Command(o.Hex("dw0"), o.Hex("dw1")),
            o.Has("reserved_bits") && o.Bool("reserved_bits"));
        var op = o.String("op");
        return op == record.Op ? record : throw o.Error($"op '{op}' does not match dw0, which encodes {record.Op}");
    }

    private static ViolationTraceRecord Violation(Line o, int step)
    {
        TraceKill? kill = null;
        if (o.Has("killed_step"))
        {
            var commands = o.Array("commands").Select(c =>
            {
                var command = new Line(c, o.Number);
                return new TraceKillCommand(command.Int("step"), command.String("op"), new Command(command.Hex("dw0"), command.Hex("dw1")));
            });
            kill = new TraceKill(o.NullableString("killed_domain"), o.Int("killed_step"), o.String("killed_by"),
                new ValueList<TraceKillCommand>(commands), o.Bool("commands_dropped"));
        }

        return new ViolationTraceRecord(step, o.String("violation"), o.String("device"), o.OptionalString("smmu"), o.Hex32("sid"),
            o.OptionalHex32("pasid"), o.Hex("iova"), o.Hex("pa"), o.Access(), o.Bool("from_atc"), o.String("domain"), kill);
    }

    /// <summary>Typed access to one JSON object's keys, with errors that name the line and key.</summary>
    private readonly struct Line(JsonElement element, int number)
    {
        public int Number => number;

        public bool Has(string key) => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(key, out _);

        public TraceFormatException Error(string problem) => new(number, problem);

        public string String(string key) => Get(key, JsonValueKind.String).GetString()!;

        public string? NullableString(string key) =>
            Get(key, JsonValueKind.String, JsonValueKind.Null) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

        public string? OptionalString(string key) => Has(key) ? String(key) : null;

        public int Int(string key) => Get(key, JsonValueKind.Number).TryGetInt32(out var v) ? v : throw Error($"{key}: not a 32-bit integer");

        public bool Bool(string key) => Get(key, JsonValueKind.True, JsonValueKind.False).GetBoolean();

        public ulong Hex(string key)
        {
            var text = String(key);
            return text.StartsWith("0x", StringComparison.Ordinal)
                && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw Error($"{key}: '{text}' is not a 0x-hex number");
        }

        public uint Hex32(string key) => Hex(key) is var v && v <= uint.MaxValue ? (uint)v : throw Error($"{key}: does not fit 32 bits");

        public uint? OptionalHex32(string key) => Has(key) ? Hex32(key) : null;

        public bool Access() => String("access") switch
        {
            "read" => false,
            "write" => true,
            var a => throw Error($"access: '{a}' is neither read nor write"),
        };

        public IEnumerable<JsonElement> Array(string key) => Get(key, JsonValueKind.Array).EnumerateArray();

        private JsonElement Get(string key, params ReadOnlySpan<JsonValueKind> kinds)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error("not a JSON object");
            }

            if (!element.TryGetProperty(key, out var value))
            {
                throw Error($"missing key '{key}'");
            }

            foreach (var kind in kinds)
            {
                if (value.ValueKind == kind)
                {
                    return value;
                }
            }

            throw Error($"{key}: expected {string.Join(" or ", kinds.ToArray())}, got {value.ValueKind}");
        }
    }
}
