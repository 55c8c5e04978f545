using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Products;

/// <summary>
/// Who made the SMMU: the IIDR value a driver keys its errata on. Linux knows the Arm products
/// MMU-600, MMU-700, MMU-L1 and MMU-S3 (<see cref="ArmProducts"/>).
/// </summary>
public sealed record ProductIdentity(string Name, uint Implementer, uint ProductId, uint Variant, uint Revision)
{
    /// <summary>A model-specific identity with no known errata.</summary>
    public static readonly ProductIdentity Generic = new("generic", 0x0, 0x0, 0, 0);

    public uint IidrValue => (uint)(Iidr.Implementer.Make(Implementer) | Iidr.ProductID.Make(ProductId)
        | Iidr.Variant.Make(Variant) | Iidr.Revision.Make(Revision));

    /// <summary>The product names a scenario's <c>product</c> takes, each with its IIDR.ProductID (0: a generic SMMU with no product errata).</summary>
    private static readonly Dictionary<string, uint> ProductIdsByName = new()
    {
        ["generic"] = 0,
        ["mmu-600"] = ArmProducts.MMU600,
        ["mmu-700"] = ArmProducts.MMU700,
        ["mmu-l1"] = ArmProducts.MMUL1,
        ["mmu-s3"] = ArmProducts.MMUS3,
    };

    /// <summary>The product names <see cref="TryParse"/> knows, in order.</summary>
    public static IReadOnlyList<string> ProductNames { get; } = [.. ProductIdsByName.Keys];

    /// <summary>
    /// Parses "generic", "mmu-600 r0p2", "mmu-700 r1p1", "mmu-l1 r0p0", "mmu-s3 r0p0". The rNpM suffix
    /// is variant N and revision M; it defaults to r0p0.
    /// </summary>
    public static bool TryParse(string text, out ProductIdentity identity, out string error)
    {
        identity = Generic;
        error = string.Empty;
        var parts = text.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Length > 2)
        {
            error = $"product '{text}' is not of the form 'NAME [rNpM]'";
            return false;
        }

        uint? product = ProductIdsByName.TryGetValue(parts[0], out var id) ? id : null;
        if (product is null)
        {
            error = $"unknown product '{parts[0]}' (known: {string.Join(", ", ProductNames)})";
            return false;
        }

        uint variant = 0, revision = 0;
        if (parts.Length == 2)
        {
            var rp = parts[1];
            var p = rp.IndexOf('p');
            if (!rp.StartsWith('r') || p < 2 || !uint.TryParse(rp.AsSpan(1, p - 1), out variant)
                || !uint.TryParse(rp.AsSpan(p + 1), out revision) || variant > 15 || revision > 15)
            {
                error = $"revision '{parts[1]}' is not of the form rNpM with N, M in 0..15";
                return false;
            }
        }

        identity = product == 0
            ? Generic
            : new ProductIdentity($"{parts[0]} r{variant}p{revision}", ArmProducts.Implementer, product.Value, variant, revision);
        return true;
    }

    public static ProductIdentity Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException(error);
}
