using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Value parsers for the payload fields, on spans. Addresses print as <c>%llx</c> without
/// <c>0x</c> (dma.h) or <c>0x%016llx</c> (iommu.h); both forms are accepted everywhere. Arrays
/// print as <c>{0x1,0x2}</c> in tracefs (hex even for 4-byte sizes) and as space-separated
/// decimals in trace-cmd report (libtraceevent's own array printer).
/// </summary>
internal static class PayloadValues
{
    /// <summary>The value of each ASCII character as a hex digit; 0xFF for the others.</summary>
    private static ReadOnlySpan<byte> HexDigitValues =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryHex(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.Length > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
        {
            s = s[2..];
        }

        if (s.IsEmpty || s.Length > 16)
        {
            return false;
        }

        ulong v = 0;
        var digits = HexDigitValues;
        for (var i = 0; i < s.Length; i++)
        {
            // A table, not branches: hex digits mix 0-9 and a-f at random, which a branch mispredicts.
            uint c = s[i];
            uint d = c < (uint)digits.Length ? digits[(int)c] : 0xFFu;
            if (d > 15)
            {
                return false;
            }

            v = (v << 4) | d;
        }

        value = v;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryDecimal(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
        {
            return false;
        }

        foreach (var c in s)
        {
            var d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }

            if (value > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    /// <summary>Decimal, or hex when it starts with <c>0x</c>.</summary>
    public static bool TryNumber(ReadOnlySpan<char> s, out ulong value) =>
        s.Length > 2 && s[0] == '0' && (s[1] | 0x20) == 'x' ? TryHex(s, out value) : TryDecimal(s, out value);

    public static bool TryInt(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        var negative = s.StartsWith('-');
        if (!TryNumber(negative ? s[1..] : s, out var magnitude) || magnitude > int.MaxValue)
        {
            return false;
        }

        value = negative ? -(int)magnitude : (int)magnitude;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryDirection(ReadOnlySpan<char> s, out DmaDirection direction)
    {
        switch (s)
        {
            case "BIDIRECTIONAL":
                direction = DmaDirection.Bidirectional;
                return true;
            case "TO_DEVICE":
                direction = DmaDirection.ToDevice;
                return true;
            case "FROM_DEVICE":
                direction = DmaDirection.FromDevice;
                return true;
            case "NONE":
                direction = DmaDirection.None;
                return true;
        }

        // An unresolved enum prints as a number.
        direction = default;
        if (TryNumber(s, out var v) && v <= 3)
        {
            direction = (DmaDirection)v;
            return true;
        }

        return false;
    }

    /// <summary>
    /// <c>WEAK_ORDERING|SKIP_CPU_SYNC</c>; empty is none. Unknown names and the kernel's hex
    /// leftover (<c>0x…</c>) set <see cref="DmaAttributes.Unrecognized"/>. Numeric-only text
    /// (an unresolved flag table) also counts as unrecognized when non-zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DmaAttributes Attributes(ReadOnlySpan<char> s)
    {
        var result = DmaAttributes.None;
        foreach (var range in s.Split('|'))
        {
            var name = s[range];
            result |= name switch
            {
                "" => DmaAttributes.None,
                "WEAK_ORDERING" => DmaAttributes.WeakOrdering,
                "WRITE_COMBINE" => DmaAttributes.WriteCombine,
                "NO_KERNEL_MAPPING" => DmaAttributes.NoKernelMapping,
                "SKIP_CPU_SYNC" => DmaAttributes.SkipCpuSync,
                "FORCE_CONTIGUOUS" => DmaAttributes.ForceContiguous,
                "ALLOC_SINGLE_PAGES" => DmaAttributes.AllocSinglePages,
                "NO_WARN" => DmaAttributes.NoWarn,
                "PRIVILEGED" => DmaAttributes.Privileged,
                "MMIO" => DmaAttributes.Mmio,
                "CACHELINES_OVERLAP" => DmaAttributes.CachelinesOverlap,
                "REQUIRE_COHERENT" => DmaAttributes.RequireCoherent,
                "CC_SHARED" => DmaAttributes.CcShared,
                "ALLOC_CC_SHARED" => DmaAttributes.AllocCcShared,
                "0" or "0x0" => DmaAttributes.None,
                _ => DmaAttributes.Unrecognized,
            };
        }

        return result;
    }

    /// <summary>A pointer printed by <c>%p</c>: hex with or without <c>0x</c>; null for <c>(null)</c>, <c>(____ptrval____)</c> and the like.</summary>
    public static ulong? Pointer(ReadOnlySpan<char> s) => TryHex(s, out var v) ? v : null;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryU64Array(ReadOnlySpan<char> s, out ImmutableArray<ulong> values)
    {
        values = default;
        if (!TryElements(s, out var body, out var separator, out var count))
        {
            return false;
        }

        var array = count == 0 ? Array.Empty<ulong>() : new ulong[count];
        var i = 0;
        foreach (var range in body.Split(separator))
        {
            var item = body[range];
            if (item.IsEmpty)
            {
                continue;
            }

            if (i == count || !TryNumber(item, out array[i]))
            {
                return false;
            }

            i++;
        }

        values = ImmutableCollectionsMarshal.AsImmutableArray(array);
        return i == count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryU32Array(ReadOnlySpan<char> s, out ImmutableArray<uint> values)
    {
        values = default;
        if (!TryElements(s, out var body, out var separator, out var count))
        {
            return false;
        }

        var array = count == 0 ? Array.Empty<uint>() : new uint[count];
        var i = 0;
        foreach (var range in body.Split(separator))
        {
            var item = body[range];
            if (item.IsEmpty)
            {
                continue;
            }

            if (i == count || !TryNumber(item, out var v) || v > uint.MaxValue)
            {
                return false;
            }

            array[i++] = (uint)v;
        }

        values = ImmutableCollectionsMarshal.AsImmutableArray(array);
        return i == count;
    }

    /// <summary>
    /// The element list and its separator: <c>{a,b}</c> (kernel) or <c>a b</c> (libtraceevent);
    /// <c>{}</c> and an empty value are empty arrays. A <c>{</c> without its <c>}</c> is a cut line.
    /// </summary>
    private static bool TryElements(ReadOnlySpan<char> s, out ReadOnlySpan<char> body, out char separator, out int count)
    {
        body = s;
        separator = ' ';
        count = 0;
        if (s.StartsWith('{'))
        {
            if (!s.EndsWith('}'))
            {
                return false;
            }

            body = s[1..^1];
            separator = ',';
            if (body.IsEmpty)
            {
                return true;
            }

            count = body.Count(',') + 1;
            return true;
        }

        foreach (var range in s.Split(' '))
        {
            if (!s[range].IsEmpty)
            {
                count++;
            }
        }

        return true;
    }
}
