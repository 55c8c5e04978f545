namespace SmmuLab.Hardware.Translation;

/// <summary>TLB victim selection within a set.</summary>
internal enum TlbReplacement : byte
{
    /// <summary>Least recently used (hits and inserts refresh an entry).</summary>
    Lru,

    /// <summary>Pseudo-random (a seeded xorshift, so runs are reproducible).</summary>
    Random,
}

/// <summary>
/// TLB geometry: <see cref="Capacity"/> entries in <see cref="Capacity"/> / <see cref="Ways"/> sets of
/// <see cref="Ways"/> ways. Ways = Capacity makes it fully associative.
/// </summary>
internal sealed record TlbOptions
{
    public int Capacity { get; init; } = 2048;

    public int Ways { get; init; } = 4;

    public TlbReplacement Replacement { get; init; } = TlbReplacement.Lru;

    /// <summary>Entries of the walk cache (cached table descriptors).</summary>
    public int WalkCacheCapacity { get; init; } = 64;

    /// <summary>Seed of the random replacement policy.</summary>
    public ulong Seed { get; init; } = 0x5EED_5EED_5EED_5EEDUL;

    public void Validate()
    {
        if (Capacity < 1 || Ways < 1 || Capacity % Ways != 0)
        {
            throw new ArgumentException($"TLB capacity {Capacity} must be a positive multiple of ways {Ways}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(WalkCacheCapacity, 1);
    }
}
