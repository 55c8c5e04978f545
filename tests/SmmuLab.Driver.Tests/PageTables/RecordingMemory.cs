using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Tests.PageTables;

/// <summary>Memory that records every write in order: byte writes as (pa, length, null), 64-bit stores as (pa, 8, value).</summary>
public sealed class RecordingMemory(IPhysicalMemory inner, List<(ulong Pa, ulong Length, ulong? Value)> writes) : IPhysicalMemory
{
    public uint Read32(ulong pa) => inner.Read32(pa);

    public ulong Read64(ulong pa) => inner.Read64(pa);

    public void Write32(ulong pa, uint value)
    {
        writes.Add((pa, 4, value));
        inner.Write32(pa, value);
    }

    public void Write64(ulong pa, ulong value)
    {
        writes.Add((pa, 8, value));
        inner.Write64(pa, value);
    }

    public uint ReadVolatile32(ulong pa) => inner.ReadVolatile32(pa);

    public void WriteVolatile32(ulong pa, uint value)
    {
        writes.Add((pa, 4, value));
        inner.WriteVolatile32(pa, value);
    }

    public uint CompareExchange32(ulong pa, uint value, uint comparand) => inner.CompareExchange32(pa, value, comparand);

    public void Read(ulong pa, Span<byte> destination) => inner.Read(pa, destination);

    public void Write(ulong pa, ReadOnlySpan<byte> source)
    {
        writes.Add((pa, (ulong)source.Length, null));
        inner.Write(pa, source);
    }

}
