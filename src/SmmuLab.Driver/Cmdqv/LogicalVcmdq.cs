using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// A logical VCMDQ of the kernel's VINTF: global VCMDQ <see cref="GlobalIndex"/> seen as
/// <see cref="Lidx"/> of <see cref="Vintf"/>, driven through the VINTF's pages, with an ordinary
/// lock-free <see cref="CommandQueue"/> whose CMD_SYNCs complete with CS = NONE (polled).
/// </summary>
public sealed class LogicalVcmdq
{
    private volatile Func<Command, bool>? filter;

    internal LogicalVcmdq(CmdqvVintf vintf, int lidx, int globalIndex, DriverPlatform cmdqvPlatform, int log2Entries, TimeSpan pollTimeout, string name)
    {
        Vintf = vintf;
        Lidx = lidx;
        GlobalIndex = globalIndex;
        Queue = new CommandQueue(cmdqvPlatform, new CommandQueueOptions
        {
            Name = name,
            Log2Entries = log2Entries,
            Completion = SyncCompletionMode.Poll,
            ProdRegister = CmdqvRegister.LvcmdqPage0Register(vintf.Index, lidx, CmdqvRegister.VCMDQ_PROD),
            ConsRegister = CmdqvRegister.LvcmdqPage0Register(vintf.Index, lidx, CmdqvRegister.VCMDQ_CONS),
            PollTimeout = pollTimeout,
            Supports = SupportsCommand,
        });
    }

    public CmdqvVintf Vintf { get; }

    public int Lidx { get; }

    public int GlobalIndex { get; }

    public CommandQueue Queue { get; }

    /// <summary>The hardware init enabled the queue (and the deinit has not disabled it since).</summary>
    public bool Enabled { get; internal set; }

    /// <summary>The queue takes only the guest-owned VINTF's three opcodes (see <see cref="CmdqvCommands.GuestSupports"/>).</summary>
    public bool GuestFilterInstalled => filter is not null;

    /// <summary>The kernel's <c>cmdq-&gt;supports_cmd</c> slot: null accepts everything.</summary>
    internal Func<Command, bool>? Filter
    {
        get => filter;
        set => filter = value;
    }

    /// <summary>The VCMDQ_BASE value: ring address and LOG2SIZE.</summary>
    public ulong BaseRegisterValue =>
        VcmdqBase.ADDR.InsertAddress(0, Queue.BaseAddress) | VcmdqBase.LOG2SIZE.Make((ulong)Queue.Log2Entries);

    public override string ToString() => $"{Queue.Name} (VCMDQ {GlobalIndex} = VINTF{Vintf.Index} lidx {Lidx})";

    private bool SupportsCommand(Command command) => filter is not { } f || f(command);
}
