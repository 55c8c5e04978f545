namespace SmmuLab.Verification;

/// <summary>
/// Which mappings are still whole and live, readable without the oracle's lock: a slot per mapping
/// number (modulo its size) holds the number while the mapping lives. A new mapping may take the
/// slot of an older live one, which then just reads as not known to be live (its pages are judged
/// under the lock); a number is never written back, so a slot holding a number means that mapping
/// is live. No allocation per mapping, and a fixed size whatever the number of mappings.
/// </summary>
/// <remarks>
/// Written under the oracle's lock: <see cref="Add"/> once the mapping is in its domain's extents,
/// <see cref="End"/> by the unmap (or the map over it) that takes any of its pages out of them,
/// before the oracle's lock is released and the unmap is over. A reader without the lock that
/// still finds the number is ordered before that unmap. Numbers one apart lie
/// on different cache lines (a stride of eight slots), so that two threads mapping side by side do
/// not share the lines they write.
/// </remarks>
internal sealed class LiveMappingTable
{
    private const int Slots = 1 << 12;
    private const int Stride = 8;

    private readonly long[] ids = new long[Slots];
    private long lastId;

    /// <summary>A number for a new mapping (under the oracle's lock).</summary>
    public long NextId() => ++lastId;

    public void Add(long id) => Volatile.Write(ref ids[SlotOf(id)], id);

    public void End(long id)
    {
        ref var slot = ref ids[SlotOf(id)];
        if (slot == id)
        {
            Volatile.Write(ref slot, 0);
        }
    }

    /// <summary>True when mapping <paramref name="id"/> is known to be live; never for 0, the number of no mapping.</summary>
    public bool IsLive(long id) => id != 0 && Volatile.Read(ref ids[SlotOf(id)]) == id;

    private static int SlotOf(long id) => (int)((ulong)(id * Stride) % Slots) | (int)((ulong)id / (Slots / Stride) % Stride);
}
