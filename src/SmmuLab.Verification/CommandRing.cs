using SmmuLab.Architecture.Commands;

namespace SmmuLab.Verification;

/// <summary>The last N commands one SMMU consumed (not thread-safe: the oracle locks around it).</summary>
internal sealed class CommandRing(string smmu, int capacity)
{
    private readonly ConsumedCommand[] items = new ConsumedCommand[capacity];
    private long count;

    public string Smmu { get; } = smmu;

    public void Add(long sequence, int step, in Command command)
    {
        items[count % items.Length] = new ConsumedCommand(sequence, step, Smmu, command);
        count++;
    }

    /// <summary>The remembered commands with a sequence number of at least <paramref name="first"/>, oldest first.</summary>
    /// <param name="first">The first sequence number wanted.</param>
    /// <param name="dropped">Set when older wanted commands were already overwritten.</param>
    public IReadOnlyList<ConsumedCommand> Since(long first, out bool dropped)
    {
        var held = (int)Math.Min(count, items.Length);
        var result = new List<ConsumedCommand>();
        for (var i = count - held; i < count; i++)
        {
            var c = items[i % items.Length];
            if (c.Sequence >= first)
            {
                result.Add(c);
            }
        }

        dropped = held == items.Length && count > held && items[(count - held) % items.Length].Sequence > first;
        return result;
    }
}
