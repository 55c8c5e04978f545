namespace SmmuLab.Driver.Invalidation;

/// <summary>The invalidation designs by the names scenarios and the command line use.</summary>
public static class InvalidationDesigns
{
    public static readonly IReadOnlyList<string> Names = ["legacy"];

    /// <summary>A new instance of the design called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No design has that name.</exception>
    public static IInvalidationDesign Create(string name) => name switch
    {
        "legacy" => new LegacyInvalidation(),
        _ => throw new ArgumentException($"unknown invalidation design '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };
}
