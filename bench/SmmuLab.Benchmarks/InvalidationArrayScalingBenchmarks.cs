using BenchmarkDotNet.Attributes;
using SmmuLab.Driver.Invalidation.Linux;

namespace SmmuLab.Benchmarks;

/// <summary>
/// The invalidation array's merge and unref at 16, 128, 1024 and 4096 entries, C# against the C
/// baseline (gcc -O2, same process, <see cref="NativeInvsBaseline"/>): an array of N entries (one
/// ASID, then ATS StreamIDs with even numbers) merges N new ATS entries (odd numbers, so every
/// step interleaves) into a new array of 2N; unref then takes them out again in place. Both
/// languages allocate the new array per merge; C also frees it in the call (C# leaves it to the
/// GC, whose cost the memory columns show). Target: merge at most 1.5 times the C time, unref at parity.
/// </summary>
[MemoryDiagnoser]
public unsafe class InvalidationArrayScalingBenchmarks
{
    private const int AtsType = 3;
    private readonly InvalidationArrayAllocator allocator = new();
    private NativeInvsBaseline native = null!;
    private InvalidationArray domain = null!;
    private InvalidationArray master = null!;
    private nint nativeDomain;
    private nint nativeMaster;

    [Params(16, 128, 1024, 4096)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var entries = new InvalidationEntry[N];
        var adding = new InvalidationEntry[N];
        native = new NativeInvsBaseline();
        nativeDomain = native.Alloc((nuint)N);
        nativeMaster = native.Alloc((nuint)N);
        entries[0] = InvalidationEntry.For(null, InvalidationType.S1Asid, 5, 12, users: 1);
        native.Set(nativeDomain, 0, 0, 0, 5, 12, 1);
        for (var i = 1; i < N; i++)
        {
            entries[i] = InvalidationEntry.For(null, InvalidationType.Ats, (uint)(i * 2), 0, users: 1);
            native.Set(nativeDomain, (nuint)i, 0, AtsType, (uint)(i * 2), 0, 1);
        }

        for (var i = 0; i < N; i++)
        {
            adding[i] = InvalidationEntry.For(null, InvalidationType.Ats, (uint)((i * 2) + 1), 0);
            native.Set(nativeMaster, (nuint)i, 0, AtsType, (uint)((i * 2) + 1), 0, 0);
        }

        domain = InvalidationArray.Of(entries);
        master = InvalidationArray.Of(adding);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        native.Free(nativeDomain);
        native.Free(nativeMaster);
        native.Dispose();
    }

    /// <summary>C: merge into a new array of 2N (and free it).</summary>
    [Benchmark(Baseline = true)]
    public nint MergeC()
    {
        var merged = native.Merge(nativeDomain, nativeMaster);
        native.Free(merged);
        return merged;
    }

    /// <summary>C#: merge into a new array of 2N.</summary>
    [Benchmark]
    public int Merge() => domain.Merge(master, allocator).Count;

    /// <summary>C: merge, then unref the same entries from the new array in place (and free it).</summary>
    [Benchmark]
    public nint MergeThenUnrefC()
    {
        var merged = native.Merge(nativeDomain, nativeMaster);
        native.Unref(merged, nativeMaster);
        native.Free(merged);
        return merged;
    }

    /// <summary>C#: merge, then unref the same entries from the new array in place.</summary>
    [Benchmark]
    public int MergeThenUnref()
    {
        var merged = domain.Merge(master, allocator);
        merged.Unref(master);
        return merged.Count;
    }
}
