using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.Driver.Invalidation;

/// <summary>Picks an invalidation design by name ("legacy" or "linux").</summary>
public static class InvalidationDesigns
{
    /// <summary>The valid names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["legacy", "linux"];

    /// <summary>A new design instance for <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static IInvalidationDesign Create(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "legacy" => new LegacyInvalidation(),
        "linux" => new LinuxInvalidation(),
        _ => throw new ArgumentException($"unknown invalidation design '{name}'; valid: {string.Join(", ", Names)}", nameof(name)),
    };
}
