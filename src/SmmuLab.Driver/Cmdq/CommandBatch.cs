using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Commands;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// Collects commands and issues them in runs of up to 64 (the kernel's <c>arm_smmu_cmdq_batch</c>),
/// so that a long invalidation costs one reservation per 64 commands and one CMD_SYNC at the end.
/// </summary>
/// <remarks>
/// A ref struct over storage its caller provides, as the kernel keeps its batch on the stack:
/// <c>Span&lt;Command&gt; storage = stackalloc Command[CommandBatch.Capacity]</c> in a method marked
/// <see cref="SkipLocalsInitAttribute"/>, so that starting a batch neither clears nor copies its
/// 1 KiB of commands (slots are written before they are read). It never allocates; pass it by
/// <c>ref</c>. Rules of <see cref="Add"/>, in order:
/// <list type="number">
/// <item>If the batch's queue does not support the command, or the queue has
/// <see cref="CommandQueue.ForceSync"/> and the batch holds 63 commands, the batch is issued with a
/// CMD_SYNC and starts again on the queue chosen for the new command.</item>
/// <item>If the batch holds 64 commands, they are issued without a CMD_SYNC and the batch starts again.</item>
/// <item>The command is appended.</item>
/// </list>
/// <see cref="Submit"/> issues what is left with a CMD_SYNC and waits for it.
/// </remarks>
internal ref struct CommandBatch
{
    public const int Capacity = CommandQueue.BatchEntries;

    private readonly Span<Command> commands;
    private Func<Command, CommandQueue>? queueFor;
    private CommandQueue queue;
    private int count;

    /// <summary>A batch for one queue, collecting into <paramref name="storage"/> (at least <see cref="Capacity"/> commands).</summary>
    public CommandBatch(Span<Command> storage, CommandQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        commands = Checked(storage);
        this.queue = queue;
    }

    /// <summary>
    /// A batch whose queue is chosen per command by <paramref name="queueFor"/> (the kernel's
    /// get_cmdq: a secondary queue that supports the command, else the main queue), starting with
    /// the queue for <paramref name="first"/>. The batch re-selects whenever its queue refuses a command.
    /// </summary>
    public CommandBatch(Span<Command> storage, Func<Command, CommandQueue> queueFor, in Command first)
    {
        ArgumentNullException.ThrowIfNull(queueFor);
        commands = Checked(storage);
        this.queueFor = queueFor;
        queue = queueFor(first);
    }

    /// <summary>
    /// Points an empty batch at the queue <paramref name="queueFor"/> chooses for
    /// <paramref name="first"/>, in place, keeping its storage.
    /// </summary>
    public void Retarget(Func<Command, CommandQueue> queueFor, in Command first)
    {
        if (count != 0)
        {
            throw new InvalidOperationException("only an empty batch can move to another queue");
        }

        this.queueFor = queueFor;
        queue = queueFor(first);
    }

    /// <summary>Commands collected and not yet issued.</summary>
    public readonly int Count => count;

    /// <summary>The queue the collected commands will go to.</summary>
    public readonly CommandQueue Queue => queue;

    /// <summary>Adds a command, issuing the collected ones first when the rules above say so.</summary>
    public void Add(in Command command)
    {
        if (!queue.Supports(command) || (queue.ForceSync && count == Capacity - 1))
        {
            Issue(sync: true);
            Restart(command);
        }

        if (count == Capacity)
        {
            Issue(sync: false);
            Restart(command);
        }

        commands[count++] = command;
    }

    /// <summary>Issues the collected commands with a CMD_SYNC and waits for it; the batch is then empty and reusable.</summary>
    public void Submit() => Issue(sync: true);

    private void Issue(bool sync)
    {
        var n = count;

        // Emptied first: if the issue times out, the commands are not issued a second time.
        count = 0;
        queue.IssueBatch(commands[..n], sync);
    }

    private void Restart(in Command next)
    {
        if (queueFor is not null)
        {
            queue = queueFor(next);
        }
    }

    private static Span<Command> Checked(Span<Command> storage) =>
        storage.Length >= Capacity
            ? storage[..Capacity]
            : throw new ArgumentException($"a batch needs room for {Capacity} commands, not {storage.Length}", nameof(storage));
}
