using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Products;

/// <summary>
/// Who made the SMMU: the IIDR value a driver keys its errata on. Linux knows the Arm products
/// MMU-600 (0x483), MMU-700 (0x487), MMU-L1 (0x48A) and MMU-S3 (0x498).
/// </summary>
public sealed record ProductIdentity(string Name, uint Implementer, uint ProductId, uint Variant, uint Revision)
{
    public const uint MMU600 = 0x483;
    public const uint MMU700 = 0x487;
    public const uint MMUL1 = 0x48A;
    public const uint MMUS3 = 0x498;

    /// <summary>A model-specific identity with no known errata.</summary>
    public static readonly ProductIdentity Generic = new("generic", 0x0, 0x0, 0, 0);

    public uint IidrValue => (uint)(Iidr.Implementer.Make(Implementer) | Iidr.ProductID.Make(ProductId)
        | Iidr.Variant.Make(Variant) | Iidr.Revision.Make(Revision));

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

        uint? product = parts[0] switch
        {
            "generic" => 0,
            "mmu-600" => MMU600,
            "mmu-700" => MMU700,
            "mmu-l1" => MMUL1,
            "mmu-s3" => MMUS3,
            _ => null,
        };
        if (product is null)
        {
            error = $"unknown product '{parts[0]}' (known: generic, mmu-600, mmu-700, mmu-l1, mmu-s3)";
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
            : new ProductIdentity($"{parts[0]} r{variant}p{revision}", Iidr.ImplementerArm, product.Value, variant, revision);
        return true;
    }

    public static ProductIdentity Parse(string text) =>
        TryParse(text, out var id, out var error) ? id : throw new FormatException(error);
}
