namespace SmmuLab.Architecture.Memory;

/// <summary>MAIR attribute bytes (Arm ARM D8.6.3): what an AttrIndx names in a CD's MAIR.</summary>
public static class MairAttr
{
    public const byte DeviceNGnRE = 0x04;
    public const byte NormalNonCacheable = 0x44;

    /// <summary>Inner non-cacheable, outer write-back read/write-allocate.</summary>
    public const byte InnerNonCacheableOuterWriteBack = 0xF4;

    /// <summary>Normal write-back, read/write-allocate, inner and outer.</summary>
    public const byte NormalWriteBack = 0xFF;
}
