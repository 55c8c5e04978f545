using System.Runtime.InteropServices;

namespace SmmuLab.Driver.Platform;

/// <summary>
/// Sizes for keeping a hot shared word on cache lines of its own (Linux <c>____cacheline_aligned_in_smp</c>):
/// 128 bytes either side, so that neither a neighbouring field nor the adjacent-line prefetcher
/// pulls the word's line to another CPU when that CPU touches something else.
/// </summary>
internal static class CacheLine
{
    /// <summary>Bytes kept clear on each side of a padded word.</summary>
    public const int Guard = 128;
}

/// <summary>A 64-bit word alone on its cache line (the CMDQ's shared PROD/CONS word, as Linux aligns <c>llq</c>).</summary>
[StructLayout(LayoutKind.Explicit, Size = (2 * CacheLine.Guard) + sizeof(ulong))]
internal struct PaddedUInt64
{
    [FieldOffset(CacheLine.Guard)]
    public ulong Value;
}

/// <summary>A 32-bit word alone on its cache line (the CMDQ lock count).</summary>
[StructLayout(LayoutKind.Explicit, Size = (2 * CacheLine.Guard) + sizeof(int))]
internal struct PaddedInt32
{
    [FieldOffset(CacheLine.Guard)]
    public int Value;
}

/// <summary>An unsigned 32-bit word alone on its cache line (the PROD the last CMDQ owner published).</summary>
[StructLayout(LayoutKind.Explicit, Size = (2 * CacheLine.Guard) + sizeof(uint))]
internal struct PaddedUInt32
{
    [FieldOffset(CacheLine.Guard)]
    public uint Value;
}
