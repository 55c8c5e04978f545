using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// The software view of a queue's pointers packed in one 64-bit word so that both are read and
/// replaced by a single compare-exchange: PROD in bits [31:0], CONS in bits [63:32]. Each pointer
/// is an SMMU queue pointer: the entry index in its low log2(entries) bits, the wrap bit just
/// above. In the shared word, bit 31 of PROD is the "owned" flag: set while a producer has been
/// elected to publish PROD and is still gathering later reservations.
/// </summary>
internal static class QueueWord
{
    /// <summary>PROD bit 31 in the shared word: an owner is gathering; reservations made now are published by it.</summary>
    public const uint OwnedFlag = 1u << 31;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Pack(uint prod, uint cons) => prod | ((ulong)cons << 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Prod(ulong word) => (uint)word;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Cons(ulong word) => (uint)(word >> 32);

    /// <summary>
    /// True when <paramref name="n"/> more entries fit between PROD and CONS. With equal wrap bits
    /// the free space is the queue size less what lies between them; with different wrap bits
    /// PROD has lapped CONS once and only the gap up to CONS is free.
    /// </summary>
    public static bool HasSpace(uint prod, uint cons, int log2, uint n)
    {
        var p = QueuePointer.Index(prod, log2);
        var c = QueuePointer.Index(cons, log2);
        var free = QueuePointer.Wrap(prod, log2) == QueuePointer.Wrap(cons, log2) ? (1u << log2) - (p - c) : c - p;
        return free >= n;
    }

    /// <summary>True when every entry is in use (same index, different wrap).</summary>
    public static bool IsFull(uint prod, uint cons, int log2) => QueuePointer.IsFull(prod, cons, log2);

    /// <summary>
    /// True when a consumer at <paramref name="cons"/> has gone past the entry at
    /// <paramref name="prod"/>: on the same lap its index is beyond that entry; one lap ahead
    /// its index has not yet come back round to it. Valid only while CONS is within one lap of
    /// the entry, which the shared lock guarantees for CMD_SYNC waiters.
    /// </summary>
    public static bool Consumed(uint cons, uint prod, int log2)
    {
        var c = QueuePointer.Index(cons, log2);
        var p = QueuePointer.Index(prod, log2);
        return QueuePointer.Wrap(cons, log2) == QueuePointer.Wrap(prod, log2) ? c > p : c <= p;
    }

    /// <summary>Advances the wrap-and-index bits of <paramref name="p"/> by <paramref name="n"/>; bit 31 (owned/overflow) is kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Advance(uint p, int log2, uint n) => QueuePointer.Increment(p, log2, n);

    /// <summary>Entries from <paramref name="from"/> up to <paramref name="to"/> (both within one lap).</summary>
    public static uint Distance(uint from, uint to, int log2) => QueuePointer.Used(to, from, log2);
}
