using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// An SMMU command queue and its lock-free multi-producer insertion (Linux <c>arm_smmu_cmdq</c> and
/// <c>arm_smmu_cmdq_issue_cmdlist</c>): producers reserve slots with one compare-exchange on a
/// shared PROD/CONS word, write their commands, mark them valid, and one of them, the owner,
/// publishes everybody's slots to SMMU_CMDQ_PROD in a single register write.
/// </summary>
/// <remarks>
/// The queue allocates its ring in DMA memory and keeps the software state; it does not program
/// the SMMU. The prober writes <see cref="BaseRegisterValue"/> to SMMU_CMDQ_BASE,
/// <see cref="SoftwareProd"/> and <see cref="SoftwareCons"/> to SMMU_CMDQ_PROD/CONS, then sets
/// CR0.CMDQEN. The driver's GERROR handler calls <see cref="HandleCommandError"/> (see
/// <see cref="GlobalErrorHandler"/>). Split by aspect: this file holds the state and slot access,
/// CommandQueue.Issue.cs the insertion algorithm, CommandQueue.Wait.cs the waits on the SMMU,
/// CommandQueue.Errors.cs the command error recovery.
/// </remarks>
public sealed partial class CommandQueue : IDisposable
{
    /// <summary>Entries per CMD_SYNC-less batch, and the valid-map word width (BITS_PER_LONG).</summary>
    public const int BatchEntries = 64;

    private readonly IMmio mmio;
    private readonly IPhysicalMemory memory;
    private readonly IDmaAllocator allocator;
    private readonly WaitForEvent? events;
    private readonly Waiter waiter;
    private readonly Func<Command, bool>? supports;
    private readonly int prodRegister;
    private readonly int consRegister;
    private readonly TimeSpan pollTimeout;
    private readonly ValidMap validMap;

    /// <summary>
    /// The ring's 4 KiB pages as the memory's own storage (<see cref="IPhysicalMemory.PageWords"/>),
    /// as the kernel writes its queue through the linear map; null when the memory offers no such
    /// view, and slots are then written one bus access at a time.
    /// </summary>
    private readonly ulong[][]? ringPages;

    /// <summary>
    /// The shared software PROD/CONS word (<see cref="QueueWord"/>): PROD is the next free slot
    /// (with the owned flag), CONS the last CONS software learnt from the SMMU. Only ever replaced
    /// as a whole by compare-exchange, or atomically modified (owned flag, CONS half).
    /// </summary>
    private PaddedUInt64 llq;

    /// <summary>The PROD the last owner published; the next owner waits for it, so publications happen in order.</summary>
    private PaddedUInt32 ownerProd;

    private bool disposed;

    /// <summary>A deliberate defect for the concurrency tests' negative controls; never set by the driver.</summary>
    internal CommandQueueFault Fault { get; set; }

    /// <summary>Allocates the ring (halving it while the allocator refuses) and the software state.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The requested size is outside [2^7, 2^19] entries.</exception>
    /// <exception cref="DmaAllocationException">Not even a 128-entry ring could be allocated.</exception>
    public CommandQueue(DriverPlatform platform, CommandQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Log2Entries, CommandQueueOptions.MinLog2Entries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Log2Entries, CommandQueueOptions.MaxLog2Entries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollTimeout, TimeSpan.Zero);
        mmio = platform.Mmio;
        memory = platform.Memory;
        allocator = platform.Allocator;
        events = platform.Events;
        waiter = platform.Waiter;
        Lock = new CommandQueueLock(waiter);
        Name = options.Name;
        Completion = options.Completion;
        ForceSync = options.ForceSync;
        supports = options.Supports;
        prodRegister = options.ProdRegister;
        consRegister = options.ConsRegister;
        pollTimeout = options.PollTimeout;

        // Like the kernel: try the size asked for, halve it while the allocation fails, and stop
        // after the smallest size that still holds a batch and its CMD_SYNC. The ring must be
        // naturally aligned to its size (SMMU_CMDQ_BASE.ADDR drops the low bits).
        var log2 = options.Log2Entries;
        while (true)
        {
            var bytes = (ulong)CommandLayouts.Bytes << log2;
            try
            {
                BaseAddress = allocator.Allocate(bytes, bytes);
                break;
            }
            catch (DmaAllocationException) when (log2 > CommandQueueOptions.MinLog2Entries)
            {
                log2--;
            }
        }

        Log2Entries = log2;
        validMap = new ValidMap(log2, waiter);
        ringPages = RingPages(memory, BaseAddress, (ulong)CommandLayouts.Bytes << log2);
    }

    public string Name { get; }

    /// <summary>Physical address of slot 0.</summary>
    public ulong BaseAddress { get; }

    /// <summary>log2 of the number of entries actually allocated.</summary>
    public int Log2Entries { get; }

    public uint Entries => 1u << Log2Entries;

    public SyncCompletionMode Completion { get; }

    /// <summary>The MMU-700 erratum 2812531 workaround is on: batches close with a CMD_SYNC at 63 commands.</summary>
    public bool ForceSync { get; }

    public CommandQueueStatistics Statistics { get; } = new();

    /// <summary>Raised by <see cref="HandleCommandError"/> for every command error it handles (on the interrupt's thread).</summary>
    public event Action<CommandQueue, CommandQueueError>? CommandErrorHandled;

    /// <summary>The SMMU_CMDQ_BASE value: read-allocate hint, ring address, LOG2SIZE.</summary>
    public ulong BaseRegisterValue =>
        QueueBase.RWA.Make(1) | QueueBase.ADDR.InsertAddress(0, BaseAddress) | QueueBase.LOG2SIZE.Make((ulong)Log2Entries);

    /// <summary>The software PROD (without the owned flag), for programming SMMU_CMDQ_PROD at reset.</summary>
    public uint SoftwareProd => QueueWord.Prod(Volatile.Read(ref llq.Value)) & ~QueueWord.OwnedFlag;

    /// <summary>The cached CONS, for programming SMMU_CMDQ_CONS at reset.</summary>
    public uint SoftwareCons => QueueWord.Cons(Volatile.Read(ref llq.Value));

    /// <summary>True when an owner is currently gathering (tests and diagnostics).</summary>
    public bool IsOwned => (QueueWord.Prod(Volatile.Read(ref llq.Value)) & QueueWord.OwnedFlag) != 0;

    /// <summary>The shared/exclusive lock (diagnostics: 0 when no CMD_SYNC waiter and no CONS refresh is in progress).</summary>
    public CommandQueueLock Lock { get; }

    /// <summary>True when this queue accepts <paramref name="command"/>.</summary>
    public bool Supports(in Command command) => supports is null || supports(command);

    /// <summary>The physical address of the slot a queue pointer designates.</summary>
    public ulong SlotAddress(uint p) => BaseAddress + ((ulong)QueuePointer.Index(p, Log2Entries) * CommandLayouts.Bytes);

    /// <summary>Reads the command in the slot a queue pointer designates.</summary>
    public Command ReadSlot(uint p)
    {
        return Command.ReadFrom(memory, SlotAddress(p));
    }

    /// <summary>The views of the ring's pages, or null when the memory lacks a view of any of them.</summary>
    private static ulong[][]? RingPages(IPhysicalMemory memory, ulong baseAddress, ulong bytes)
    {
        var first = baseAddress & ~(MemoryPageView.Bytes - 1);
        var views = new ulong[(int)(((baseAddress + bytes - 1 - first) / MemoryPageView.Bytes) + 1)][];
        for (var i = 0; i < views.Length; i++)
        {
            if (memory.PageWords(first + ((ulong)i * MemoryPageView.Bytes)) is not { Length: MemoryPageView.Words } view)
            {
                return null;
            }

            views[i] = view;
        }

        return views;
    }

    /// <summary>Frees the ring. Only when the SMMU no longer uses it (CMDQEN clear).</summary>
    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            allocator.Free(BaseAddress, (ulong)CommandLayouts.Bytes << Log2Entries);
        }
    }

    private void WriteSlot(uint p, in Command command)
    {
        if (ringPages is null)
        {
            command.WriteTo(memory, SlotAddress(p));
            return;
        }

        // In place; the valid-map update that follows is a full barrier before any publication.
        // A slot is 16-byte aligned, so both of its words are in one page.
        var (page, word) = SlotView(ringPages, p);
        page[word] = command.Dw0;
        page[word + 1] = command.Dw1;
    }

    /// <summary>The page view holding the slot <paramref name="p"/> designates, and the index of the slot's first word in it.</summary>
    private (ulong[] Page, int Word) SlotView(ulong[][] pages, uint p)
    {
        var offset = (SlotAddress(p) - (BaseAddress & ~(MemoryPageView.Bytes - 1))) >> 3;
        return (pages[(int)(offset / MemoryPageView.Words)], (int)(offset % MemoryPageView.Words));
    }

    /// <summary>
    /// The CMD_SYNC for the slot at <paramref name="p"/>. With MSI polling it targets its own slot
    /// (MSIData 0, inner-shareable, write-back cacheable): completion zeroes the entry's first word.
    /// </summary>
    private Command BuildSync(uint p) => Completion switch
    {
        SyncCompletionMode.Msi => Command.Sync(SyncCompletion.SIG_IRQ, SlotAddress(p), msiData: 0, msh: Shareability.Inner, msiAttr: MemAttr.NormalWriteBack),
        SyncCompletionMode.Sev => Command.Sync(SyncCompletion.SIG_SEV),
        _ => Command.Sync(SyncCompletion.SIG_NONE),
    };

    /// <summary>SMMU_CMDQ_CONS without its ERR field.</summary>
    private uint ReadHardwareCons() => mmio.Read32(consRegister) & QueuePointer.WrapIndexMask(Log2Entries);

    /// <summary>
    /// Replaces only the CONS half of the shared word (the kernel's WRITE_ONCE of llq.cons): a
    /// compare-exchange loop, so a producer's concurrent reservation either sees the new CONS or
    /// fails its own compare-exchange and retries with it.
    /// </summary>
    private void StoreCachedCons(uint cons)
    {
        var old = Volatile.Read(ref llq.Value);
        while (true)
        {
            var updated = QueueWord.Pack(QueueWord.Prod(old), cons);
            var seen = Interlocked.CompareExchange(ref llq.Value, updated, old);
            if (seen == old)
            {
                return;
            }

            old = seen;
        }
    }

    private CommandQueueTimeoutException Timeout(string waitingFor, uint position)
    {
        Statistics.CountTimeout();
        return new CommandQueueTimeoutException(Name, waitingFor, position, mmio.Read32(prodRegister), mmio.Read32(consRegister), pollTimeout);
    }
}
