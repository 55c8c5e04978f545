using SmmuLab.Architecture.Commands;

namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// How many commands of each opcode a command queue executed. Counted by one thread at a time
/// (under the queue's lock, so a plain increment suffices); read from any thread, each count
/// exact but perhaps lagging slightly.
/// </summary>
public sealed class OpcodeCounters
{
    private readonly long[] counts = new long[256];

    /// <summary>Commands of opcode <paramref name="op"/>.</summary>
    public long this[Opcode op] => Volatile.Read(ref counts[(byte)op]);

    /// <summary>Commands of every opcode.</summary>
    public long Total
    {
        get
        {
            long n = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                n += Volatile.Read(ref counts[i]);
            }

            return n;
        }
    }

    /// <summary>Non-zero counts, in opcode order.</summary>
    public IEnumerable<(Opcode Opcode, long Count)> NonZero()
    {
        for (var i = 0; i < counts.Length; i++)
        {
            var n = Volatile.Read(ref counts[i]);
            if (n != 0)
            {
                yield return ((Opcode)i, n);
            }
        }
    }

    internal void Count(Opcode op) => counts[(byte)op]++;
}
