using SmmuLab.Architecture.Memory;
using SmmuLab.Hardware.Memory;

namespace SmmuLab.TestSupport.Memory;

/// <summary>
/// Memory that records every store in order, over a real memory (a fresh sparse one by default):
/// <see cref="Writes"/> holds (pa, length, value) with a null value for byte writes, and
/// <see cref="Log"/> holds "W pa=value" lines for 64-bit stores, to which a test may add its own
/// markers (a sync, say) to check ordering.
/// </summary>
public sealed class RecordingMemory(IPhysicalMemory inner, List<(ulong Pa, ulong Length, ulong? Value)>? writes = null) : IPhysicalMemory
{
    public RecordingMemory()
        : this(new SparsePhysicalMemory())
    {
    }

    /// <summary>Every store in order.</summary>
    public List<(ulong Pa, ulong Length, ulong? Value)> Writes { get; } = writes ?? [];

    /// <summary>64-bit stores as "W pa=value" (hex), and whatever the test adds.</summary>
    public List<string> Log { get; } = [];

    /// <summary>Stores qwords without recording them (the state before the code under test runs).</summary>
    public void Load(ulong pa, ReadOnlySpan<ulong> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            inner.Write64(pa + ((ulong)i * 8), values[i]);
        }
    }

    /// <summary>Reads <paramref name="count"/> qwords from <paramref name="pa"/>.</summary>
    public ulong[] Snapshot(ulong pa, int count) => [.. Enumerable.Range(0, count).Select(i => inner.Read64(pa + ((ulong)i * 8)))];

    public uint Read32(ulong pa) => inner.Read32(pa);

    public ulong Read64(ulong pa)
    {
        CheckAligned(pa);
        return inner.Read64(pa);
    }

    public void Write32(ulong pa, uint value)
    {
        Writes.Add((pa, 4, value));
        inner.Write32(pa, value);
    }

    public void Write64(ulong pa, ulong value)
    {
        CheckAligned(pa);
        Writes.Add((pa, 8, value));
        Log.Add($"W {pa:x}={value:x}");
        inner.Write64(pa, value);
    }

    public uint ReadVolatile32(ulong pa) => inner.ReadVolatile32(pa);

    public void WriteVolatile32(ulong pa, uint value)
    {
        Writes.Add((pa, 4, value));
        inner.WriteVolatile32(pa, value);
    }

    public uint CompareExchange32(ulong pa, uint value, uint comparand) => inner.CompareExchange32(pa, value, comparand);

    public void Read(ulong pa, Span<byte> destination) => inner.Read(pa, destination);

    public void Write(ulong pa, ReadOnlySpan<byte> source)
    {
        Writes.Add((pa, (ulong)source.Length, null));
        inner.Write(pa, source);
    }

    private static void CheckAligned(ulong pa)
    {
        if ((pa & 7) != 0)
        {
            throw new InvalidOperationException($"unaligned 64-bit access at {pa:x}");
        }
    }
}
