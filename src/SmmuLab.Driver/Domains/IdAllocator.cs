namespace SmmuLab.Driver.Domains;

/// <summary>
/// Allocates ASIDs or VMIDs (Linux's <c>arm_smmu_asid_xa</c> / <c>vmid_map</c> ida): the lowest free
/// id from <see cref="First"/>, or a pinned one. Thread-safe.
/// </summary>
internal sealed class IdAllocator(string what, int bits, int first = 1)
{
    private readonly object gate = new();
    private readonly SortedSet<int> used = [];

    public int First { get; } = first;

    public int Limit { get; } = 1 << bits;

    /// <summary>Allocates <paramref name="pinned"/> if given and free, else the lowest free id.</summary>
    /// <exception cref="IdAllocationException">The id is taken or out of range, or none is left.</exception>
    public ushort Allocate(ushort? pinned = null)
    {
        lock (gate)
        {
            if (pinned is { } p)
            {
                if (p < First || p >= Limit)
                {
                    throw new IdAllocationException($"{what} {p} is outside [{First}, {Limit})");
                }

                if (!used.Add(p))
                {
                    throw new IdAllocationException($"{what} {p} is already in use");
                }

                return p;
            }

            for (var id = First; id < Limit; id++)
            {
                if (used.Add(id))
                {
                    return (ushort)id;
                }
            }

            throw new IdAllocationException($"no free {what} left ({Limit - First} in use)");
        }
    }

    public void Free(ushort id)
    {
        lock (gate)
        {
            used.Remove(id);
        }
    }

    public bool IsUsed(ushort id)
    {
        lock (gate)
        {
            return used.Contains(id);
        }
    }
}

/// <summary>An ASID or VMID could not be allocated.</summary>
public sealed class IdAllocationException(string message) : Exception(message);
