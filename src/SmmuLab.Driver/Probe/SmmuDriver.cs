using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Probe;

/// <summary>
/// One probed SMMU (Linux <c>struct arm_smmu_device</c>): features from the ID registers, the
/// stream table, the command and event queues, interrupt handlers, and the hitless STE writer.
/// Built by <see cref="Probe"/>, which resets the SMMU in the order Linux does.
/// </summary>
public sealed class SmmuDriver : IInterruptSink, IDisposable
{
    private readonly Func<Command, CommandQueue> queueChooser;
    private ISecondaryQueues? secondaryQueues;

    private SmmuDriver(DriverPlatform platform, DriverOptions options, DriverFeatures probed)
    {
        Platform = platform;
        Options = options;
        var (features, forceSync, workarounds) = ArmErrata.Apply(probed);
        Features = features;
        Workarounds = workarounds;
        Name = options.Name;
        StreamTable = new StreamTable(platform, features);
        var completion = options.Completion ?? (features.Msi && features.Coherent && !options.DisableMsiPolling
            ? SyncCompletionMode.Msi
            : features.Sev && platform.Events is not null ? SyncCompletionMode.Sev : SyncCompletionMode.Poll);
        Cmdq = new CommandQueue(platform, new CommandQueueOptions
        {
            Name = $"{options.Name} cmdq",
            Log2Entries = Math.Clamp(Math.Min(features.CmdqLog2, options.MaxCmdqLog2), CommandQueueOptions.MinLog2Entries, CommandQueueOptions.MaxLog2Entries),
            Completion = completion,
            ForceSync = forceSync || options.CmdqForceSync,
            PollTimeout = options.PollTimeout,
        });
        GlobalErrors = new GlobalErrorHandler(platform.Mmio, Cmdq);
        Events = new EventQueueReader(platform, Math.Min(features.EvtqLog2, options.MaxEvtqLog2));
        EntryFeatures = new EntryFeatures(Stalls: features.Stalls, AttrTypesOverride: features.AttrTypesOverride, E2H: features.E2H,
            StallForce: features.StallForce);
        queueChooser = c => CommandQueueFor(c);
    }

    public string Name { get; }

    public DriverPlatform Platform { get; }

    public DriverOptions Options { get; }

    public DriverFeatures Features { get; }

    /// <summary>The errata workarounds applied from IIDR (see <see cref="ArmErrata"/>).</summary>
    public IReadOnlyList<string> Workarounds { get; }

    public StreamTable StreamTable { get; }

    public CommandQueue Cmdq { get; }

    internal GlobalErrorHandler GlobalErrors { get; }

    internal EventQueueReader Events { get; }

    /// <summary>The feature flags the STE/CD builders need.</summary>
    public EntryFeatures EntryFeatures { get; }

    /// <summary>The secondary queues installed (a CMDQV), or null: every command goes to <see cref="Cmdq"/>.</summary>
    public ISecondaryQueues? SecondaryQueues => Volatile.Read(ref secondaryQueues);

    /// <summary><see cref="CommandQueueFor"/> as a delegate, for <see cref="CommandBatch(Span{Command}, Func{Command, CommandQueue}, in Command)"/>.</summary>
    public Func<Command, CommandQueue> QueueChooser => queueChooser;

    /// <summary>
    /// Probes and resets an SMMU: reads the IDRs, allocates the tables and queues, and runs the
    /// reset sequence of <c>arm_smmu_device_reset</c>: disable; CR1/CR2; stream table; command
    /// queue on; CFGI_ALL, TLBI_EL2_ALL (with HYP), TLBI_NSNH_ALL, each followed by CMD_SYNC;
    /// event queue on; ATSCHK; interrupts; SMMUEN.
    /// </summary>
    public static SmmuDriver Probe(DriverPlatform platform, DriverOptions? options = null)
    {
        options ??= new DriverOptions();
        var mmio = platform.Mmio;
        var features = DriverFeatures.Read(mmio.Read32);
        if (!features.Stage1 && !features.Stage2)
        {
            throw new SmmuProbeException($"{options.Name}: neither stage 1 nor stage 2 is implemented");
        }

        var driver = new SmmuDriver(platform, options, features);
        driver.Reset();
        return driver;
    }

    /// <summary>Handles an interrupt line of this SMMU (wired to <see cref="IInterruptSink"/>).</summary>
    public void Raise(SmmuInterrupt line)
    {
        switch (line)
        {
            case SmmuInterrupt.GlobalError:
                GlobalErrors.HandleInterrupt();
                break;
            case SmmuInterrupt.EventQueue:
                Events.Drain();
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Installs (or, with null, removes) the secondary queues commands may be sent to. The caller
    /// guarantees no command is being issued concurrently (probe or remove time).
    /// </summary>
    public void SetSecondaryQueues(ISecondaryQueues? queues) => Volatile.Write(ref secondaryQueues, queues);

    /// <summary>
    /// The queue for <paramref name="command"/> on the calling thread (the kernel's
    /// <c>arm_smmu_get_cmdq</c>): a secondary queue that supports it, else <see cref="Cmdq"/>.
    /// </summary>
    public CommandQueue CommandQueueFor(in Command command) => SecondaryQueues?.QueueFor(command) ?? Cmdq;

    /// <summary>
    /// A batch whose queue is chosen by <see cref="CommandQueueFor"/> for <paramref name="first"/>
    /// (which is not added) and re-chosen whenever that queue refuses a command. Every design
    /// should start its batches here rather than on <see cref="Cmdq"/>, so that a CMDQV's queues
    /// are used.
    /// </summary>
    internal CommandBatch NewBatch(Span<Command> storage, in Command first) => new(storage, queueChooser, first);

    /// <summary>
    /// Installs <paramref name="target"/> as the STE of <paramref name="sid"/> with the hitless
    /// update algorithm; each step is made visible with CFGI_STE + CMD_SYNC, and the new STE is
    /// prefetched (Linux <c>arm_smmu_write_ste</c>).
    /// </summary>
    public void WriteSte(uint sid, ReadOnlySpan<ulong> target)
    {
        StreamTable.EnsureStream(sid);
        var cfgi = Command.CfgiSte(sid, leaf: true);
        var writer = new EntryWriter(new SteWriterOps(() => CommandQueueFor(cfgi).IssueCommandWithSync(cfgi)));
        writer.Write(Platform.Memory, StreamTable.SteAddress(sid), target);
        if (!Options.SkipPrefetch)
        {
            var prefetch = Command.PrefetchConfig(sid);
            CommandQueueFor(prefetch).IssueCommand(prefetch);
        }
    }

    /// <summary>
    /// Issues commands followed by a CMD_SYNC and waits for it. With secondary queues, or more
    /// commands than one batch holds (a CFGI per StreamID of a master with a thousand of them), the
    /// commands go through a batch (<see cref="NewBatch"/>): runs of at most a batch each, and a move
    /// to another queue, after a CMD_SYNC on the current one, whenever a queue refuses a command.
    /// </summary>
    public void IssueWithSync(ReadOnlySpan<Command> commands)
    {
        if ((SecondaryQueues is null && commands.Length < CommandBatch.Capacity) || commands.IsEmpty)
        {
            Cmdq.IssueCommands(commands, sync: true);
            return;
        }

        IssueBatched(commands);
    }

    /// <remarks>The storage is allocated in this loop-free method; the loop is in <see cref="IssueThrough"/>.</remarks>
    [SkipLocalsInit]
    private void IssueBatched(ReadOnlySpan<Command> commands) => IssueThrough(stackalloc Command[CommandBatch.Capacity], commands);

    private void IssueThrough(Span<Command> storage, ReadOnlySpan<Command> commands)
    {
        var batch = NewBatch(storage, commands[0]);
        foreach (ref readonly var c in commands)
        {
            batch.Add(c);
        }

        batch.Submit();
    }

    public void Dispose() => Cmdq.Dispose();

    private void Reset()
    {
        var mmio = Platform.Mmio;

        // If the SMMU was left enabled, abort incoming transactions while it is reprogrammed.
        if (Cr0.SMMUEN.IsSet(mmio.Read32(SmmuRegister.CR0)))
        {
            UpdateGbpa(set: (uint)Gbpa.ABORT.Make(1), clear: 0);
        }

        WriteCr0(0);
        mmio.Write32(SmmuRegister.CR1, (uint)(Cr1.QUEUE_IC.Make(Cacheability.WriteBackAllocate) | Cr1.QUEUE_OC.Make(Cacheability.WriteBackAllocate) | Cr1.QUEUE_SH.Make(Shareability.Inner)
            | Cr1.TABLE_IC.Make(Cacheability.WriteBackAllocate) | Cr1.TABLE_OC.Make(Cacheability.WriteBackAllocate) | Cr1.TABLE_SH.Make(Shareability.Inner)));
        mmio.Write32(SmmuRegister.CR2, (uint)(Cr2.PTM.Make(1) | Cr2.RECINVSID.Make(1) | Cr2.E2H.Make(Features.E2H ? 1UL : 0)));
        mmio.Write64(SmmuRegister.STRTAB_BASE, StreamTable.BaseRegister);
        mmio.Write32(SmmuRegister.STRTAB_BASE_CFG, StreamTable.BaseCfgRegister);

        mmio.Write64(SmmuRegister.CMDQ_BASE, Cmdq.BaseRegisterValue);
        mmio.Write32(SmmuRegister.CMDQ_PROD, 0);
        mmio.Write32(SmmuRegister.CMDQ_CONS, 0);
        var enables = (uint)Cr0.CMDQEN.Make(1);
        WriteCr0(enables);

        // Invalidate any cached configuration and TLB entries left from before.
        Cmdq.IssueCommandWithSync(Command.CfgiAll());
        if (Features.Hyp)
        {
            Cmdq.IssueCommandWithSync(Command.TlbiEl2All());
        }

        Cmdq.IssueCommandWithSync(Command.TlbiNsnhAll());

        mmio.Write64(SmmuRegister.EVENTQ_BASE, Events.BaseRegister);
        mmio.Write32(SmmuRegister.EVENTQ_PROD, 0);
        mmio.Write32(SmmuRegister.EVENTQ_CONS, 0);
        enables |= (uint)Cr0.EVENTQEN.Make(1);
        WriteCr0(enables);

        if (Features.Ats)
        {
            enables |= (uint)Cr0.ATSCHK.Make(1);
            WriteCr0(enables);
        }

        // Wired interrupts: no MSI address, then GERROR and EVENTQ enabled.
        WriteIrqCtrl(0);
        mmio.Write64(SmmuRegister.GERROR_IRQ_CFG0, 0);
        mmio.Write64(SmmuRegister.EVENTQ_IRQ_CFG0, 0);
        WriteIrqCtrl((uint)(IrqCtrl.GERROR_IRQEN.Make(1) | IrqCtrl.EVENTQ_IRQEN.Make(1)));

        enables |= (uint)Cr0.SMMUEN.Make(1);
        WriteCr0(enables);
        UpdateGbpa(set: 0, clear: (uint)Gbpa.ABORT.Make(1));
    }

    private void WriteCr0(uint value)
    {
        Platform.Mmio.Write32(SmmuRegister.CR0, value);
        PollUntil(SmmuRegister.CR0ACK, value, "CR0ACK");
    }

    private void WriteIrqCtrl(uint value)
    {
        Platform.Mmio.Write32(SmmuRegister.IRQ_CTRL, value);
        PollUntil(SmmuRegister.IRQ_CTRLACK, value, "IRQ_CTRLACK");
    }

    /// <summary>GBPA update protocol: wait for Update = 0, write with Update = 1, wait for Update = 0.</summary>
    private void UpdateGbpa(uint set, uint clear)
    {
        var mmio = Platform.Mmio;
        var update = (uint)Gbpa.Update.Make(1);
        WaitClear(SmmuRegister.GBPA, update);
        var value = (mmio.Read32(SmmuRegister.GBPA) & ~clear) | set;
        mmio.Write32(SmmuRegister.GBPA, value | update);
        WaitClear(SmmuRegister.GBPA, update);
    }

    private void PollUntil(int register, uint value, string what)
    {
        if (!Platform.Waiter.WaitForRegister(Platform.Mmio, register, uint.MaxValue, value, Options.PollTimeout))
        {
            throw new SmmuProbeException($"{Name}: {what} did not reach 0x{value:x} within {Options.PollTimeout.TotalMilliseconds} ms");
        }
    }

    private void WaitClear(int register, uint mask)
    {
        if (!Platform.Waiter.WaitForRegister(Platform.Mmio, register, mask, 0, Options.PollTimeout))
        {
            throw new SmmuProbeException($"{Name}: register 0x{register:x} bits 0x{mask:x} did not clear");
        }
    }

}

/// <summary>The SMMU could not be brought up.</summary>
internal sealed class SmmuProbeException(string message) : Exception(message);
