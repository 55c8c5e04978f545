using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Invalidation;

/// <summary>The invalidation designs' names (the one place they are spelt) and picking a design by name.</summary>
public static class InvalidationDesigns
{
    /// <summary>The pre-7.1 design: per-domain device lists (<see cref="LegacyInvalidation"/>).</summary>
    public const string Legacy = "legacy";

    /// <summary>The Linux 7.1 invalidation arrays (<see cref="LinuxInvalidation"/>).</summary>
    public const string Linux = "linux";

    /// <summary>The valid names.</summary>
    public static IReadOnlyList<string> Names { get; } = [Legacy, Linux];

    /// <summary>A new design instance for <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the valid ones.</exception>
    public static IInvalidationDesign Create(string name) => Create(name, null);

    /// <summary>
    /// As <see cref="Create(string)"/>, with the Linux design's arrays waiting (and meeting their
    /// ordering points) through <paramref name="waiter"/>: a tester that perturbs or controls the
    /// schedule gives the machine and the design the same waiter. Null is <see cref="Waiter.Default"/>.
    /// </summary>
    public static IInvalidationDesign Create(string name, Waiter? waiter) => name?.Trim().ToLowerInvariant() switch
    {
        Legacy => new LegacyInvalidation(),
        Linux => new LinuxInvalidation(waiter is null ? null : new InvalidationArrayAllocator(waiter)),
        _ => throw new ArgumentException($"unknown invalidation design '{name}'; valid: {string.Join(", ", Names)}", nameof(name)),
    };
}
