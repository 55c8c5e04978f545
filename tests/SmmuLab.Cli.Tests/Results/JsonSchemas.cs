using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;

namespace SmmuLab.Cli.Tests.Results;

/// <summary>The JSON Schemas in docs/schema/ (copied beside the tests), and validation of documents against them.</summary>
internal static class JsonSchemas
{
    // Lazy: GetOrAdd may run its factory on two threads at once, and a schema's $id may be registered only once.
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Loaded = new(StringComparer.Ordinal);

    /// <summary>docs/schema/<paramref name="command"/>.schema.json.</summary>
    public static JsonSchema For(string command) => Loaded.GetOrAdd(command, c => new Lazy<JsonSchema>(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schema", $"{c}.schema.json"))))).Value;

    /// <summary>The errors of <paramref name="document"/> against <paramref name="command"/>'s schema, as "location: message" lines (none when valid).</summary>
    public static IReadOnlyList<string> Errors(string command, JsonElement document)
    {
        var result = For(command).Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }

    /// <summary>Parses <paramref name="json"/>, checks its envelope and validates it against <paramref name="command"/>'s schema.</summary>
    public static JsonElement AssertValid(string command, string json)
    {
        var root = JsonDocument.Parse(json).RootElement.Clone();
        Assert.Equal($"smmulab/{command}", root.GetProperty("schema").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var errors = Errors(command, root);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return root;
    }
}
