using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// A guest kernel's logical VCMDQ: a command queue in guest memory driven through the VINTF page 0
/// the VMM mapped into the guest, so that commands reach the hardware without a VM exit. As in a
/// guest HYP_OWN reads 0, the queue supports only TLBI_NH_ASID, TLBI_NH_VA and ATC_INV (a batch
/// sends anything else to the emulated CMDQ); whatever VMID and StreamIDs the guest writes, the
/// hardware substitutes its VINTF's.
/// </summary>
/// <remarks>
/// Use: build it (the ring is allocated), have the VMM call
/// <see cref="CmdqvUserVintf.AllocateQueue"/> with <see cref="BaseAddress"/> and
/// <see cref="Log2Entries"/>, then <see cref="Enable"/>; then issue through <see cref="Queue"/>.
/// </remarks>
public sealed class GuestVcmdq : IDisposable
{
    private readonly IMmio page0;
    private readonly TimeSpan pollTimeout;
    private readonly Waiter waiter;

    public GuestVcmdq(IMmio vintfPage0, IPhysicalMemory guestMemory, IDmaAllocator allocator, int lidx, int log2Entries = CommandQueueOptions.MinLog2Entries,
        TimeSpan? pollTimeout = null, Waiter? waiter = null)
    {
        ArgumentNullException.ThrowIfNull(vintfPage0);
        page0 = vintfPage0;
        Lidx = lidx;
        this.pollTimeout = pollTimeout ?? TimeSpan.FromSeconds(1);
        this.waiter = waiter ?? Waiter.Default;
        Queue = new CommandQueue(new DriverPlatform(vintfPage0, guestMemory, allocator) { Waiter = this.waiter }, new CommandQueueOptions
        {
            Name = $"guest lvcmdq{lidx}",
            Log2Entries = log2Entries,
            Completion = SyncCompletionMode.Poll,
            ProdRegister = Register(CmdqvRegister.VCMDQ_PROD),
            ConsRegister = Register(CmdqvRegister.VCMDQ_CONS),
            Supports = CmdqvCommands.GuestSupports,
            PollTimeout = this.pollTimeout,
        });
    }

    public int Lidx { get; }

    public CommandQueue Queue { get; }

    public ulong BaseAddress => Queue.BaseAddress;

    public int Log2Entries => Queue.Log2Entries;

    /// <summary>Sets CONFIG.EN through page 0 and waits for STATUS.ENABLED.</summary>
    /// <exception cref="TimeoutException">The queue did not enable (not allocated by the VMM, or the VINTF is off).</exception>
    public void Enable()
    {
        page0.Write32(Register(CmdqvRegister.VCMDQ_CONFIG), (uint)VcmdqControl.EN.Make(1));
        var enabled = (uint)VcmdqControl.EN.InPlaceMask;
        if (!waiter.WaitForRegister(page0, Register(CmdqvRegister.VCMDQ_STATUS), enabled, enabled, pollTimeout))
        {
            throw new TimeoutException($"guest lvcmdq{Lidx} did not enable");
        }
    }

    public void Disable() => page0.Write32(Register(CmdqvRegister.VCMDQ_CONFIG), 0);

    /// <summary>
    /// The guest's recovery when its VINTF reports this queue in error: the bad command is skipped
    /// (replaced by a CMD_SYNC) and the error acknowledged, which restarts the queue. Returns the
    /// error found in CONS.ERR.
    /// </summary>
    public VcmdqError HandleError()
    {
        var error = (VcmdqError)VcmdqPointer.ERR.Get(page0.Read32(Register(CmdqvRegister.VCMDQ_CONS)));
        if (error == VcmdqError.NONE)
        {
            return error;
        }

        Queue.HandleCommandError();
        page0.Write32(Register(CmdqvRegister.VCMDQ_GERRORN), page0.Read32(Register(CmdqvRegister.VCMDQ_GERROR)));
        return error;
    }

    /// <summary>The raw CONS register (RD and ERR).</summary>
    public uint ReadCons() => page0.Read32(Register(CmdqvRegister.VCMDQ_CONS));

    /// <summary>The entries the hardware consumed so far (CONS.RD without wrap).</summary>
    public uint ConsumedIndex => QueuePointer.Index(ReadCons(), Log2Entries);

    public void Dispose() => Queue.Dispose();

    private int Register(int register) => (CmdqvRegister.VcmdqStride * Lidx) + register;
}
