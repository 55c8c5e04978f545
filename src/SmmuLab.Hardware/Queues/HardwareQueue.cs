using System.Runtime.InteropServices;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Queues;

/// <summary>
/// A circular queue in memory as the hardware sees it (IHI0070 3.5): the *_BASE register (base
/// address and log2 of the number of entries) and the PROD and CONS registers, each an index with a
/// wrap bit above it, plus flag bits higher up (CONS.ERR of a command queue, PROD.OVFLG and
/// CONS.OVACKFLG of an output queue). The SMMU's CMDQ, EVENTQ and PRIQ and each CMDQV VCMDQ are one.
/// </summary>
/// <remarks>
/// The owner changes the registers under its lock. PROD and CONS are single words read and written
/// atomically, so they may also be read without it. The base address and size are decoded once per
/// BASE write, not per entry.
/// </remarks>
internal sealed class HardwareQueue(QueueFormat format)
{
    private readonly uint errorMask = (uint)format.Error.InPlaceMask;
    private readonly uint indexMask = (uint)format.Index.InPlaceMask;

    private ulong baseRegister;
    private ulong baseAddress;
    private int log2Size;
    private uint prod;
    private uint cons;

    // The page the consumer fetched from last, as the memory's storage (IDeviceMemory.BackedPageWords):
    // one page holds 256 commands, so fetching a run of them costs one lookup. Used by the
    // consumer only, under its owner's lock.
    private IDeviceMemory? fetchMemory;
    private ulong fetchFrame = ulong.MaxValue;
    private ulong[]? fetchPage;

    /// <summary>The *_BASE register as stored.</summary>
    public ulong Base
    {
        get => Volatile.Read(ref baseRegister);
        set
        {
            log2Size = Math.Min((int)format.Log2Size.Get(value), format.MaxLog2Size);
            baseAddress = QueueBase.AlignedBase(format.Address.GetAddress(value), log2Size, format.EntryBytes);
            Volatile.Write(ref baseRegister, value);
        }
    }

    /// <summary>The PROD register (index, wrap and flag bits).</summary>
    public uint Prod
    {
        get => Volatile.Read(ref prod);
        set => Volatile.Write(ref prod, value);
    }

    /// <summary>The CONS register (index, wrap and flag bits).</summary>
    public uint Cons
    {
        get => Volatile.Read(ref cons);
        set => Volatile.Write(ref cons, value);
    }

    /// <summary>log2 of the number of entries: BASE.LOG2SIZE capped at the implemented maximum.</summary>
    public int Log2Size => log2Size;

    /// <summary>The bits of PROD and CONS that hold the index and the wrap bit.</summary>
    public uint WrapIndexMask => QueuePointer.WrapIndexMask(log2Size);

    public bool IsEmpty => QueuePointer.IsEmpty(prod, cons, log2Size);

    public bool IsFull => QueuePointer.IsFull(prod, cons, log2Size);

    /// <summary>Entries between CONS and PROD: written by the producer, not yet consumed.</summary>
    public int Depth
    {
        get
        {
            var mask = QueuePointer.WrapIndexMask(log2Size);
            return (int)(((prod & mask) - (cons & mask)) & mask);
        }
    }

    /// <summary>The address of the entry CONS points at: the next one to consume.</summary>
    public ulong ConsumerEntry => EntryAddress(cons);

    /// <summary>The address of the entry PROD points at: the next one to produce.</summary>
    public ulong ProducerEntry => EntryAddress(prod);

    /// <summary>CONS.ERR of a command queue: the reason it stopped, 0 while it runs.</summary>
    public byte Error => (byte)format.Error.Get(Cons);

    /// <summary>The output queue overflowed and software has not acknowledged it yet (PROD.OVFLG != CONS.OVACKFLG).</summary>
    public bool OverflowPending => ((Prod ^ Cons) & QueuePointer.OverflowFlag) != 0;

    /// <summary>The address of the entry at index <paramref name="pointer"/> (its flag and wrap bits ignored).</summary>
    public ulong EntryAddress(uint pointer) => baseAddress + (QueuePointer.Index(pointer, log2Size) * (ulong)format.EntryBytes);

    /// <summary>
    /// A PROD or CONS value software wrote, as the register keeps it: the index field holds only
    /// the index and wrap bits of this queue's size (the bits above read as zero); flags are kept.
    /// </summary>
    public uint TrimToSize(uint pointer) => pointer & ~(indexMask & ~WrapIndexMask);

    /// <summary>
    /// Reads the 16-byte command CONS points at; false when the fetch aborts (no memory there).
    /// Reads through the remembered page when the entry is in it, else through
    /// <paramref name="memory"/>'s accesses (and remembers the entry's page when it offers a view).
    /// </summary>
    public bool TryFetchCommand(IDeviceMemory memory, out Command command)
    {
        var address = ConsumerEntry;
        if (MemoryPageView.Frame(address) != fetchFrame || !ReferenceEquals(memory, fetchMemory))
        {
            fetchMemory = memory;
            fetchPage = memory.BackedPageWords(address);
            fetchFrame = fetchPage is { Length: MemoryPageView.Words } ? MemoryPageView.Frame(address) : ulong.MaxValue;
            if (fetchFrame == ulong.MaxValue)
            {
                return Command.TryRead(memory, address, out command);
            }
        }

        // Entries are 16-byte aligned: both words are in the page.
        var word = MemoryPageView.WordIndex(address);
        command = new Command(Volatile.Read(ref fetchPage![word]), Volatile.Read(ref fetchPage[word + 1]));
        return true;
    }

    /// <summary>
    /// Writes a 32-bit word with release semantics when <paramref name="pa"/> is in the page the
    /// consumer fetched from last (a CMD_SYNC's MSI to its own slot, as Linux asks); false otherwise,
    /// and nothing is written. Under the owner's lock, like the fetch: the remembered frame and
    /// page are two fields.
    /// </summary>
    public bool TryWrite32InFetchedPage(ulong pa, uint value)
    {
        if (MemoryPageView.Frame(pa) != fetchFrame || (pa & 3) != 0)
        {
            return false;
        }

        Volatile.Write(ref MemoryMarshal.Cast<ulong, uint>(fetchPage.AsSpan())[(int)((pa & (MemoryPageView.Bytes - 1)) >> 2)], value);
        return true;
    }

    /// <summary>The consumer is done with an entry: CONS moves on and CONS.ERR clears.</summary>
    public void AdvanceConsumer() => cons = QueuePointer.Increment(cons & ~errorMask, log2Size);

    /// <summary>The producer wrote an entry: PROD moves on, its flags kept.</summary>
    public void AdvanceProducer() => prod = QueuePointer.Increment(prod, log2Size);

    /// <summary>A command queue stops: CONS stays on the failing entry and CONS.ERR holds <paramref name="error"/>.</summary>
    public void StopWithError(byte error) => Cons = (uint)format.Error.Insert(cons, error);

    /// <summary>
    /// An output queue had no room for an entry: PROD.OVFLG toggles if the previous overflow was
    /// acknowledged (OVFLG == CONS.OVACKFLG), and stays as it is otherwise (7.2).
    /// </summary>
    public void SignalOverflow()
    {
        if (!OverflowPending)
        {
            Prod ^= QueuePointer.OverflowFlag;
        }
    }

    /// <summary>Back to reset: BASE as given, PROD and CONS zero.</summary>
    public void Reset(ulong baseValue)
    {
        Base = baseValue;
        Prod = 0;
        Cons = 0;
    }
}
