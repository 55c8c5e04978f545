using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// One bit per queue slot saying "the producer that reserved this slot has finished writing it".
/// The owner publishing PROD waits on these bits for every slot it gathered.
/// </summary>
/// <remarks>
/// The valid value of a bit is the inverse of the slot's wrap bit: on a lap with wrap 0 a written
/// slot reads 1, on a lap with wrap 1 it reads 0. A slot is reserved again only after the SMMU
/// consumed it, which needs it published, which needs it valid; so when a producer comes to mark
/// a slot the bit still holds the previous lap's valid value, which is this lap's invalid value,
/// and marking it is a toggle. No reset is ever needed and a zeroed map starts out all invalid.
/// </remarks>
internal sealed class ValidMap
{
    private const int BitsPerWord = 64;

    /// <summary>Words kept clear before the first bitmap word and after the last (the map's own lines).</summary>
    private const int GuardWords = CacheLine.Guard / sizeof(ulong);

    private readonly ulong[] words;
    private readonly int log2;
    private readonly Waiter waiter;

    public ValidMap(int log2Entries, Waiter waiter)
    {
        log2 = log2Entries;
        this.waiter = waiter;
        words = new ulong[((1 << log2Entries) / BitsPerWord) + (2 * GuardWords)];
    }

    /// <summary>
    /// Marks the slots [<paramref name="start"/>, <paramref name="end"/>) valid. Interlocked
    /// operations are full barriers, so the caller's writes of those slots are visible before the
    /// bits are: an owner that sees a bit valid also sees the command.
    /// </summary>
    public void MarkValid(uint start, uint end)
    {
        for (var p = start; p != end;)
        {
            var (word, mask, count) = Chunk(p, end);
            // Toggling to this lap's valid value: set the bits on a wrap-0 lap, clear them on a
            // wrap-1 lap. Neighbouring producers share the word, so the update must be atomic.
            if (QueuePointer.Wrap(p, log2) == 0)
            {
                Interlocked.Or(ref words[word], mask);
            }
            else
            {
                Interlocked.And(ref words[word], ~mask);
            }

            p = QueueWord.Advance(p, log2, count);
        }
    }

    /// <summary>
    /// Waits until every slot in [<paramref name="start"/>, <paramref name="end"/>) is valid. The
    /// producers being waited for are between their reservation and their marking, with nothing to
    /// wait for themselves, so this spins (yielding) without a timeout, as the kernel does.
    /// </summary>
    public void WaitValid(uint start, uint end)
    {
        for (var p = start; p != end;)
        {
            var (word, mask, count) = Chunk(p, end);
            // Volatile.Read is an acquire: the command words written before the bit was set are
            // visible once the bit is seen.
            var state = (Words: words, Word: word, Mask: mask, Expected: QueuePointer.Wrap(p, log2) == 0 ? mask : 0UL);
            waiter.SpinUntil(ref state, static (ref (ulong[] Words, int Word, ulong Mask, ulong Expected) s) =>
                (Volatile.Read(ref s.Words[s.Word]) & s.Mask) == s.Expected);

            p = QueueWord.Advance(p, log2, count);
        }
    }

    /// <summary>True when the slot at <paramref name="p"/> reads valid for its lap (tests).</summary>
    public bool IsValid(uint p)
    {
        var idx = (int)QueuePointer.Index(p, log2);
        var bit = (Volatile.Read(ref words[GuardWords + (idx / BitsPerWord)]) >> (idx % BitsPerWord)) & 1;
        return bit == (QueuePointer.Wrap(p, log2) == 0 ? 1UL : 0UL);
    }

    /// <summary>
    /// The part of [p, end) inside p's bitmap word: the word, the mask of its bits, and how many
    /// slots that is. The range ends inside this word only when end's index lies in it after p's;
    /// otherwise the chunk runs to the end of the word (the range may come back round to it).
    /// </summary>
    private (int Word, ulong Mask, uint Count) Chunk(uint p, uint end)
    {
        var idx = (int)QueuePointer.Index(p, log2);
        var endIdx = (int)QueuePointer.Index(end, log2);
        var word = GuardWords + (idx / BitsPerWord);
        var lo = idx % BitsPerWord;
        var hi = BitsPerWord;
        if (GuardWords + (endIdx / BitsPerWord) == word && endIdx % BitsPerWord > lo)
        {
            hi = endIdx % BitsPerWord;
        }

        var upper = hi == BitsPerWord ? ulong.MaxValue : (1UL << hi) - 1;
        var mask = upper & ~((1UL << lo) - 1);
        return (word, mask, (uint)(hi - lo));
    }
}
