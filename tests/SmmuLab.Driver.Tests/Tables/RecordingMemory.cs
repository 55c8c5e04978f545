using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>A sparse 64-bit-only memory that logs every store, for checking how entries are written.</summary>
internal sealed class RecordingMemory : IPhysicalMemory
{
    private readonly Dictionary<ulong, ulong> qwords = [];

    public List<string> Log { get; } = [];

    public ulong Read64(ulong pa)
    {
        CheckAligned(pa);
        return qwords.GetValueOrDefault(pa);
    }

    public void Write64(ulong pa, ulong value)
    {
        CheckAligned(pa);
        qwords[pa] = value;
        Log.Add($"W {pa:x}={value:x}");
    }

    public void Load(ulong pa, ReadOnlySpan<ulong> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            qwords[pa + ((ulong)i * 8)] = values[i];
        }
    }

    public ulong[] Snapshot(ulong pa, int count) => [.. Enumerable.Range(0, count).Select(i => Read64(pa + ((ulong)i * 8)))];

    public uint Read32(ulong pa) => throw new NotSupportedException();

    public void Write32(ulong pa, uint value) => throw new NotSupportedException();

    public uint ReadVolatile32(ulong pa) => throw new NotSupportedException();

    public void WriteVolatile32(ulong pa, uint value) => throw new NotSupportedException();

    public uint CompareExchange32(ulong pa, uint value, uint comparand) => throw new NotSupportedException();

    public void Read(ulong pa, Span<byte> destination) => throw new NotSupportedException();

    public void Write(ulong pa, ReadOnlySpan<byte> source) => throw new NotSupportedException();


    private static void CheckAligned(ulong pa)
    {
        if ((pa & 7) != 0)
        {
            throw new InvalidOperationException($"unaligned 64-bit access at {pa:x}");
        }
    }
}
