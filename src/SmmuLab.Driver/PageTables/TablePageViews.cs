using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// Descriptor reads and writes for one <see cref="IoPageTable"/>, through direct views of the table
/// pages (<see cref="IPhysicalMemory.PageWords"/>) where the memory offers them: each thread
/// remembers one page per level, so a walk that repeats the previous one's path costs an array read
/// per level instead of a memory lookup. Without views every access goes to
/// <see cref="IPhysicalMemory.Read64"/> and <see cref="IPhysicalMemory.Write64"/>.
/// </summary>
/// <remarks>
/// A remembered page stays correct after its table is freed and the frame reused: the view is the
/// frame's storage for the memory's lifetime, whoever owns it. So the remembered pages can be
/// shared by every table on the same memory, and they are kept per thread: the lock-free one-page
/// map and unmap (<see cref="IoPageTable.TryMapPageUnlocked"/>) and lookups walk from several CPUs
/// at once. A walk looks its thread's pages up once (<see cref="Begin"/>), not per descriptor.
/// </remarks>
internal sealed class TablePageViews(IPhysicalMemory memory)
{
    /// <summary>This thread's remembered pages (of the memory it walked last).</summary>
    [ThreadStatic]
    private static RememberedPages? remembered;

    /// <summary>Starts a walk on the calling thread (use it on that thread only, and not across a wait).</summary>
    public TableWalk Begin()
    {
        var pages = remembered ??= new RememberedPages();
        if (!ReferenceEquals(pages.Memory, memory))
        {
            pages.Reset(memory);
        }

        return new TableWalk(memory, pages);
    }
}

/// <summary>
/// One thread's descriptor accesses during one walk (<see cref="TablePageViews.Begin"/>). Every access
/// is a single 64-bit volatile access, as the walker in the SMMU needs (it may read a descriptor
/// while it is written).
/// </summary>
internal readonly struct TableWalk
{
    private readonly IPhysicalMemory memory;
    private readonly RememberedPages pages;

    internal TableWalk(IPhysicalMemory memory, RememberedPages pages)
    {
        this.memory = memory;
        this.pages = pages;
    }

    /// <summary>The descriptor at <paramref name="slot"/>, in a table at <paramref name="level"/>.</summary>
    public ulong Read(ulong slot, int level)
    {
        var words = View(slot, level);
        return words is null ? memory.Read64(slot) : Volatile.Read(ref words[MemoryPageView.WordIndex(slot)]);
    }

    /// <summary>Writes the descriptor at <paramref name="slot"/>, in a table at <paramref name="level"/>, with one store.</summary>
    public void Write(ulong slot, int level, ulong value)
    {
        var words = View(slot, level);
        if (words is null)
        {
            memory.Write64(slot, value);
        }
        else
        {
            Volatile.Write(ref words[MemoryPageView.WordIndex(slot)], value);
        }
    }

    /// <summary>
    /// Replaces the descriptor at <paramref name="slot"/> with <paramref name="value"/> if it still
    /// holds <paramref name="expected"/> (one atomic compare-and-swap, as io-pgtable-arm installs
    /// entries with cmpxchg64). False when it held something else, or when the memory offers no
    /// page views (the caller then takes its locked path).
    /// </summary>
    public bool TryReplace(ulong slot, int level, ulong expected, ulong value)
    {
        var words = View(slot, level);
        return words is not null && Interlocked.CompareExchange(ref words[MemoryPageView.WordIndex(slot)], value, expected) == expected;
    }

    private ulong[]? View(ulong slot, int level)
    {
        var frame = MemoryPageView.Frame(slot);
        var i = level & (RememberedPages.Levels - 1);
        if (pages.Frames[i] == frame)
        {
            return pages.Views[i];
        }

        var words = memory.PageWords(slot);
        pages.Views[i] = words;
        pages.Frames[i] = frame;
        return words;
    }
}

/// <summary>One thread's page per level, for one memory (a thread that moves to another memory forgets them).</summary>
internal sealed class RememberedPages
{
    public const int Levels = 4;

    public readonly ulong[] Frames = [ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue];
    public readonly ulong[]?[] Views = new ulong[]?[Levels];

    public IPhysicalMemory? Memory { get; private set; }

    public void Reset(IPhysicalMemory memory)
    {
        Memory = memory;
        Frames.AsSpan().Fill(ulong.MaxValue);
        Views.AsSpan().Clear();
    }
}
