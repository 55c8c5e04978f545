namespace SmmuLab.Architecture.PageTables;

/// <summary>A VMSAv8-64 translation granule: 4 KiB, 16 KiB or 64 KiB.</summary>
public enum Granule : byte
{
    Size4K = 12,
    Size16K = 14,
    Size64K = 16,
}

/// <summary>Granule geometry and the field encodings that name a granule (TG0, TG1, S2TG, TLBI TG).</summary>
public static class GranuleGeometry
{
    /// <summary>log2 of the granule size in bytes (12, 14, 16).</summary>
    public static int Shift(this Granule g) => (int)g;

    public static ulong Bytes(this Granule g) => 1UL << (int)g;

    /// <summary>Index bits resolved per level: 9, 11 or 13.</summary>
    public static int Stride(this Granule g) => (int)g - 3;

    /// <summary>Address bit at which level <paramref name="level"/> (0..3, or -1 for concatenation maths) resolves.</summary>
    public static int LevelShift(this Granule g, int level) => (int)g + ((3 - level) * ((int)g - 3));

    /// <summary>The first level a walk of an <paramref name="inputBits"/>-bit address starts at (VMSA: 3 - floor((ias - 1 - g) / s)).</summary>
    public static int StartLevel(this Granule g, int inputBits) => 3 - ((inputBits - 1 - (int)g) / ((int)g - 3));

    /// <summary>True when a block descriptor is permitted at <paramref name="level"/> for this granule (no 52-bit LPA2).</summary>
    public static bool BlockAllowed(this Granule g, int level, bool oas52 = false) => g switch
    {
        Granule.Size4K => level is 1 or 2,
        Granule.Size16K => level == 2,
        Granule.Size64K => level == 2 || (level == 1 && oas52),
        _ => false,
    };

    /// <summary>CD.TG0 and STE.S2TG encoding: 0 = 4K, 1 = 64K, 2 = 16K, 3 reserved.</summary>
    public static Granule? FromTg0(uint tg) => tg switch
    {
        0 => Granule.Size4K,
        1 => Granule.Size64K,
        2 => Granule.Size16K,
        _ => null,
    };

    public static uint ToTg0(this Granule g) => g switch
    {
        Granule.Size4K => 0,
        Granule.Size64K => 1,
        _ => 2,
    };

    /// <summary>CD.TG1 encoding: 0 reserved, 1 = 16K, 2 = 4K, 3 = 64K.</summary>
    public static Granule? FromTg1(uint tg) => tg switch
    {
        1 => Granule.Size16K,
        2 => Granule.Size4K,
        3 => Granule.Size64K,
        _ => null,
    };

    public static uint ToTg1(this Granule g) => g switch
    {
        Granule.Size16K => 1,
        Granule.Size4K => 2,
        _ => 3,
    };

    /// <summary>TLBI range TG encoding: 0 = no range/any, 1 = 4K, 2 = 16K, 3 = 64K.</summary>
    public static Granule? FromTlbiTg(uint tg) => tg switch
    {
        1 => Granule.Size4K,
        2 => Granule.Size16K,
        3 => Granule.Size64K,
        _ => null,
    };

    public static uint ToTlbiTg(this Granule g) => ((uint)g - 10) / 2;
}

/// <summary>Physical/intermediate address size encodings shared by IDR5.OAS, CD.IPS and STE.S2PS.</summary>
public static class AddressSize
{
    private static readonly int[] Bits = [32, 36, 40, 42, 44, 48, 52, 56];

    /// <summary>Address bits of an OAS/IPS/PS encoding.</summary>
    public static int ToBits(uint encoding) => Bits[encoding & 7];

    /// <summary>The encoding of an address size in bits; throws for a size that has none.</summary>
    public static uint FromBits(int bits)
    {
        var i = Array.IndexOf(Bits, bits);
        return i >= 0 ? (uint)i : throw new ArgumentOutOfRangeException(nameof(bits), bits, "no OAS/IPS encoding for this size");
    }
}
