using SmmuLab.Architecture.Memory;

namespace SmmuLab.Examples;

/// <summary>
/// The host's RAM: one contiguous region of guest physical memory, little-endian, kept as 64-bit
/// words. It implements the model's <see cref="IDeviceMemory"/> directly: an access outside the
/// region answers false (the bus's external abort) and the model turns that into CERROR_ABT,
/// F_WALK_EABT or a GERROR abort bit, never an exception.
/// </summary>
/// <remarks>
/// One lock guards the words. It is a leaf lock (nothing is called while it is held), so the SMMU may
/// take it under its own device lock and a guest CPU may take it without the device lock.
/// </remarks>
public sealed class GuestRam(ulong start, ulong size) : IDeviceMemory
{
    private const int WordBytes = sizeof(ulong);
    private readonly ulong[] words = new ulong[size / WordBytes];
    private readonly Lock gate = new();

    /// <summary>First physical address of the region.</summary>
    public ulong Start { get; } = start;

    /// <summary>Bytes in the region.</summary>
    public ulong Size { get; } = size;

    /// <summary>True when [<paramref name="pa"/>, <paramref name="pa"/> + <paramref name="length"/>) is inside the region.</summary>
    public bool Contains(ulong pa, ulong length = 1) => pa >= Start && length <= Size && pa - Start <= Size - length;

    /// <inheritdoc/>
    public bool TryRead32(ulong pa, out uint value)
    {
        value = 0;
        if (!Contains(pa, sizeof(uint)) || pa % sizeof(uint) != 0)
        {
            return false;
        }

        lock (gate)
        {
            value = (uint)(Word(pa) >> HalfShift(pa));
        }

        return true;
    }

    /// <inheritdoc/>
    public bool TryRead64(ulong pa, out ulong value)
    {
        value = 0;
        if (!Contains(pa, WordBytes) || pa % WordBytes != 0)
        {
            return false;
        }

        lock (gate)
        {
            value = Word(pa);
        }

        return true;
    }

    /// <inheritdoc/>
    public bool TryWrite32(ulong pa, uint value)
    {
        if (!Contains(pa, sizeof(uint)) || pa % sizeof(uint) != 0)
        {
            return false;
        }

        lock (gate)
        {
            var shift = HalfShift(pa);
            ref var w = ref Word(pa);
            w = (w & ~(0xFFFF_FFFFUL << shift)) | ((ulong)value << shift);
        }

        return true;
    }

    /// <inheritdoc/>
    public bool TryWrite64(ulong pa, ulong value)
    {
        if (!Contains(pa, WordBytes) || pa % WordBytes != 0)
        {
            return false;
        }

        lock (gate)
        {
            Word(pa) = value;
        }

        return true;
    }

    /// <inheritdoc/>
    public bool TryCompareExchange32(ulong pa, uint value, uint comparand, out uint original)
    {
        original = 0;
        if (!Contains(pa, sizeof(uint)) || pa % sizeof(uint) != 0)
        {
            return false;
        }

        lock (gate)
        {
            var shift = HalfShift(pa);
            ref var w = ref Word(pa);
            original = (uint)(w >> shift);
            if (original == comparand)
            {
                w = (w & ~(0xFFFF_FFFFUL << shift)) | ((ulong)value << shift);
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public bool TryRead(ulong pa, Span<byte> destination)
    {
        if (!Contains(pa, (ulong)destination.Length))
        {
            return false;
        }

        lock (gate)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                var a = pa + (ulong)i;
                destination[i] = (byte)(Word(a) >> ByteShift(a));
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public bool TryWrite(ulong pa, ReadOnlySpan<byte> source)
    {
        if (!Contains(pa, (ulong)source.Length))
        {
            return false;
        }

        lock (gate)
        {
            for (var i = 0; i < source.Length; i++)
            {
                var a = pa + (ulong)i;
                var shift = ByteShift(a);
                ref var w = ref Word(a);
                w = (w & ~(0xFFUL << shift)) | ((ulong)source[i] << shift);
            }
        }

        return true;
    }

    private static int HalfShift(ulong pa) => (int)(pa & sizeof(uint)) * 8;

    private static int ByteShift(ulong pa) => (int)(pa % WordBytes) * 8;

    private ref ulong Word(ulong pa) => ref words[(pa - Start) / WordBytes];
}
