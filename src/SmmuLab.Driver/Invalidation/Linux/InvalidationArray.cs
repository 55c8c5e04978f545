using System.Runtime.CompilerServices;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Invalidation.Linux;

/// <summary>
/// A domain's invalidation array (Linux <c>struct arm_smmu_invs</c>): sorted entries (see
/// <see cref="InvalidationEntry.Compare"/>), of which the first <see cref="Count"/> are scanned,
/// <see cref="TrashCount"/> of those being trash (no users). The same type serves as a master's
/// scratch array (the to-merge / to-unref list built at attach).
/// </summary>
/// <remarks>
/// <para>The capacity never changes. A published array changes in place in three ways only, all by
/// <see cref="Unref"/> under the attach lock: an entry's user count, the trash count, and a smaller
/// <see cref="Count"/>. Readers therefore read <see cref="Count"/> once and each entry's users with
/// <see cref="UsersAt"/>; every other field of an entry was written before the array was published.</para>
/// <para><see cref="Merge"/> and <see cref="Purge"/> never change their input: they return a new
/// array that the owner publishes instead.</para>
/// </remarks>
internal sealed partial class InvalidationArray
{
    private readonly InvalidationEntry[] entries;
    private int count;
    private int trashes;
    private int warnings;
    private AtsFence fence;

    /// <summary>An array of <paramref name="capacity"/> zeroed entries, all counted (Linux <c>arm_smmu_invs_alloc</c>).</summary>
    internal InvalidationArray(int capacity, Waiter? waiter = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        fence = new AtsFence(waiter);
        entries = capacity == 0 ? [] : new InvalidationEntry[capacity];
        count = capacity;
    }

    /// <summary>Entries the array can hold (Linux <c>max_invs</c>).</summary>
    public int Capacity => entries.Length;

    /// <summary>Entries a reader scans (Linux <c>num_invs</c>); trailing trash has been cut off.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Trash entries inside [0, <see cref="Count"/>) (Linux <c>num_trashes</c>).</summary>
    public int TrashCount => Volatile.Read(ref trashes);

    /// <summary>
    /// Some entry is an ATC entry, so readers take the <see cref="Fence"/>. Set by merge and purge
    /// only: after the last ATC entry is unreffed it stays set until the array is replaced.
    /// </summary>
    public bool HasAts { get; private set; }

    /// <summary>Problems unref found (an entry to remove that was absent, or a count below zero); Linux warns.</summary>
    public int Warnings => Volatile.Read(ref warnings);

    /// <summary>The ATC fence of this array.</summary>
    public ref AtsFence Fence => ref fence;

    /// <summary>Entry <paramref name="index"/> (its user count may be stale: use <see cref="UsersAt"/>).</summary>
    public ref readonly InvalidationEntry this[int index] => ref entries[index];

    /// <summary>The user count of entry <paramref name="index"/>, read once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int UsersAt(int index) => Volatile.Read(ref entries[index].users);

    /// <summary>An array holding <paramref name="items"/> as given, users included (fixtures and scratch).</summary>
    public static InvalidationArray Of(params ReadOnlySpan<InvalidationEntry> items)
    {
        var a = new InvalidationArray(items.Length);
        items.CopyTo(a.entries);
        foreach (var e in items)
        {
            a.HasAts |= e.Type.IsAts();
        }

        return a;
    }

    /// <summary>The entries in [0, <see cref="Count"/>) with their current users (a copy, for tests and display).</summary>
    public InvalidationEntry[] Snapshot()
    {
        var n = Count;
        var copy = new InvalidationEntry[n];
        for (var i = 0; i < n; i++)
        {
            copy[i] = entries[i];
            copy[i].users = UsersAt(i);
        }

        return copy;
    }

    /// <summary>
    /// The first index in [<paramref name="from"/>, <paramref name="end"/>) whose entry has users,
    /// or <paramref name="end"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextLive(int from, int end)
    {
        while (from < end && UsersAt(from) == 0)
        {
            from++;
        }

        return from;
    }

    /// <summary>Scratch use: forget every entry (the capacity stays).</summary>
    internal void ResetScratch()
    {
        Volatile.Write(ref count, 0);
        trashes = 0;
        HasAts = false;
    }

    /// <summary>Scratch use: appends an entry; the builder must append in sorted order.</summary>
    /// <exception cref="InvalidOperationException">The scratch array is full (it was sized for fewer entries).</exception>
    internal void Append(in InvalidationEntry entry)
    {
        var n = count;
        if (n >= entries.Length)
        {
            throw new InvalidOperationException($"scratch invalidation array full ({entries.Length} entries)");
        }

        entries[n] = entry;
        HasAts |= entry.Type.IsAts();
        Volatile.Write(ref count, n + 1);
    }

    public override string ToString() => $"{Count}/{Capacity} entries, {TrashCount} trash{(HasAts ? ", ATS" : "")}";
}
