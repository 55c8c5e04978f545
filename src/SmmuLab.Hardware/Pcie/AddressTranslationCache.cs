namespace SmmuLab.Hardware.Pcie;

/// <summary>
/// A PCIe endpoint's Address Translation Cache: translations the SMMU returned to ATS Translation
/// Requests, keyed by StreamID, PASID (or none) and untranslated page. Fixed capacity with LRU
/// replacement. Not thread-safe: the owning <see cref="Endpoint"/> serialises access.
/// </summary>
public sealed class AddressTranslationCache
{
    private readonly Dictionary<Key, LinkedListNode<Entry>> map = [];
    private readonly LinkedList<Entry> lru = new();

    public AddressTranslationCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => map.Count;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public long Invalidated { get; private set; }

    /// <summary>Looks up the translation of <paramref name="address"/> (any size of cached range).</summary>
    public bool TryLookup(uint sid, uint? pasid, ulong address, out AtcEntry entry)
    {
        foreach (var shift in shiftsInUse)
        {
            var key = new Key(sid, pasid ?? NoPasid, address >> shift << shift, shift);
            if (map.TryGetValue(key, out var node))
            {
                lru.Remove(node);
                lru.AddFirst(node);
                entry = node.Value.Value;
                Hits++;
                return true;
            }
        }

        Misses++;
        entry = default;
        return false;
    }

    public void Insert(uint sid, uint? pasid, in AtcEntry entry)
    {
        var key = new Key(sid, pasid ?? NoPasid, entry.UntranslatedBase, entry.SizeShift);
        if (map.TryGetValue(key, out var existing))
        {
            lru.Remove(existing);
            map.Remove(key);
        }
        else if (map.Count >= Capacity)
        {
            var victim = lru.Last!;
            lru.RemoveLast();
            map.Remove(victim.Value.Key);
        }

        var node = lru.AddFirst(new Entry(key, entry));
        map[key] = node;
        if (!shiftsInUse.Contains(entry.SizeShift))
        {
            shiftsInUse.Add(entry.SizeShift);
            shiftsInUse.Sort();
        }
    }

    /// <summary>
    /// Removes the entries of <paramref name="sid"/> that overlap [start, start + length). With a
    /// PASID only that PASID's entries go; without one (SSV = 0) every entry in the range goes,
    /// PASID-tagged or not, as a PCIe invalidation without a PASID prefix does.
    /// </summary>
    public int Invalidate(uint sid, uint? pasid, ulong start, ulong length)
    {
        var end = length == ulong.MaxValue ? ulong.MaxValue : start + length;
        var removed = 0;
        var node = lru.First;
        while (node is not null)
        {
            var next = node.Next;
            var k = node.Value.Key;
            var entryEnd = k.Base + (1UL << k.Shift);
            if (k.Sid == sid && (pasid is null || k.Pasid == pasid) && k.Base < end && entryEnd > start)
            {
                lru.Remove(node);
                map.Remove(k);
                removed++;
            }

            node = next;
        }

        Invalidated += removed;
        return removed;
    }

    public void Clear()
    {
        Invalidated += map.Count;
        map.Clear();
        lru.Clear();
    }

    private const uint NoPasid = uint.MaxValue;

    private readonly List<int> shiftsInUse = [];

    private readonly record struct Key(uint Sid, uint Pasid, ulong Base, int Shift);

    private readonly record struct Entry(Key Key, AtcEntry Value);
}

/// <summary>One cached ATS translation: a naturally aligned range of 2^SizeShift bytes.</summary>
public readonly record struct AtcEntry(ulong UntranslatedBase, ulong TranslatedBase, int SizeShift, bool Read, bool Write);
