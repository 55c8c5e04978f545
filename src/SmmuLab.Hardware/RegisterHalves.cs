namespace SmmuLab.Hardware;

/// <summary>A 64-bit register written 32 bits at a time.</summary>
internal static class RegisterHalves
{
    /// <summary><paramref name="current"/> with its upper or lower 32 bits replaced by <paramref name="half"/>.</summary>
    public static ulong With(ulong current, uint half, bool high) =>
        high ? (uint)current | ((ulong)half << 32) : (current & ~(ulong)uint.MaxValue) | half;
}
