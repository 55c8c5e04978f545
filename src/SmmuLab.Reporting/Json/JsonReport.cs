using System.Text.Encodings.Web;
using System.Text.Json;

namespace SmmuLab.Reporting.Json;

/// <summary>
/// The envelope of every <c>--json</c> document: one object that starts with
/// <c>"schema": "smmulab/COMMAND"</c> and <c>"version": 1</c>, then the command's own properties
/// (docs/json.md; a JSON Schema per command in docs/schema/). Written with
/// <see cref="Utf8JsonWriter"/>, no reflection; field names carry their units (<c>_ns</c>, <c>_bytes</c>).
/// </summary>
public static class JsonReport
{
    /// <summary>The version of every document's layout; raised when a field changes meaning or goes away (new fields do not raise it).</summary>
    public const int Version = 1;

    /// <summary>The <c>schema</c> value of <paramref name="command"/>'s document.</summary>
    public static string SchemaName(string command) => $"smmulab/{command}";

    /// <summary>Writes one document for <paramref name="command"/> to <paramref name="stream"/>: the envelope around what <paramref name="body"/> writes.</summary>
    public static void Write(Stream stream, string command, Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(body);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("schema", SchemaName(command));
        w.WriteNumber("version", Version);
        body(w);
        w.WriteEndObject();
        w.Flush();
        stream.Write("\n"u8);
    }

    /// <summary>A string property, or null.</summary>
    internal static void StringOrNull(this Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>An array of strings.</summary>
    internal static void Strings(this Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>A number that may be undefined (a ratio over zero): null then.</summary>
    internal static void NumberOrNull(this Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>An address or other bit pattern as <c>0x</c> hex text (JSON numbers lose 64-bit precision in many readers).</summary>
    internal static void Hex(this Utf8JsonWriter w, string name, ulong value) => w.WriteString(name, $"0x{value:x}");
}
