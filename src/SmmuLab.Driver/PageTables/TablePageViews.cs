using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.PageTables;

/// <summary>
/// Descriptor reads and writes for one <see cref="IoPageTable"/>, through direct views of the table
/// pages (<see cref="IPhysicalMemory.PageWords"/>) where the memory offers them: one remembered page
/// per level, so a walk that repeats the previous one's path costs an array read per level instead
/// of a memory lookup. Without views every access goes to <see cref="IPhysicalMemory.Read64"/> and
/// <see cref="IPhysicalMemory.Write64"/>.
/// </summary>
/// <remarks>
/// A remembered page stays correct after its table is freed and the frame reused: the view is the
/// frame's storage for the memory's lifetime, whoever owns it. Every descriptor access is a single
/// 64-bit volatile access, as the walker in the SMMU needs (it may read a descriptor while it is
/// written). Not thread-safe, like its owner.
/// </remarks>
internal sealed class TablePageViews(IPhysicalMemory memory)
{
    private const int Levels = 4;

    private readonly ulong[] frames = [ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue];
    private readonly ulong[]?[] views = new ulong[]?[Levels];

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

    private ulong[]? View(ulong slot, int level)
    {
        var frame = MemoryPageView.Frame(slot);
        var i = level & (Levels - 1);
        if (frames[i] == frame)
        {
            return views[i];
        }

        var words = memory.PageWords(slot);
        views[i] = words;
        frames[i] = frame;
        return words;
    }
}
