using SmmuLab.Architecture.Commands;

namespace SmmuLab.Verification;

/// <summary>
/// The last commands one SMMU's CMDQ consumed, with the oracle's sequence numbers: the history a
/// violation report lists. Written by the thread consuming the SMMU's commands (the SMMU reports
/// them under its own lock, one at a time) and read when a violation is found.
/// </summary>
/// <remarks>
/// It has its own small lock instead of the oracle's: a command is recorded while the SMMU's
/// device lock is held, and taking the oracle's lock there made every consumer wait for the pages
/// other threads were having judged. Only a violation report reads it, so the lock is almost never
/// contended.
/// </remarks>
internal sealed class CommandRing(string smmu, int capacity)
{
    private readonly Lock gate = new();
    private readonly ConsumedCommand[] items = new ConsumedCommand[capacity];
    private long count;

    public string Smmu { get; } = smmu;

    public void Add(long sequence, int step, in Command command)
    {
        lock (gate)
        {
            items[count % items.Length] = new ConsumedCommand(sequence, step, Smmu, command);
            count++;
        }
    }

    /// <summary>The commands held with a sequence number of at least <paramref name="first"/>, oldest first; <paramref name="dropped"/> when older ones of that range were overwritten.</summary>
    public IReadOnlyList<ConsumedCommand> Since(long first, out bool dropped)
    {
        lock (gate)
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
}
