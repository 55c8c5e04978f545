using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// The Tegra241 CMDQV driver beside a probed SMMU (Linux <c>tegra241-cmdqv.c</c>). VINTF0 belongs
/// to the kernel and gets its share of the VCMDQs as logical queues; each thread sends its
/// commands to the logical VCMDQ of its "CPU" (<see cref="QueueFor"/>), falling back to the SMMU's
/// CMDQ for a command that queue does not take. Other VINTFs are handed to VMs
/// (<see cref="AllocateUserVintf"/>).
/// </summary>
/// <remarks>
/// Split by aspect: this file holds probe, queue choice and removal; CmdqvDriver.HardwareInit.cs
/// the VINTF and VCMDQ init/deinit with their ordering rules; CmdqvDriver.Interrupt.cs the error
/// interrupt; CmdqvDriver.User.cs the VM (user VINTF) path.
/// </remarks>
public sealed partial class CmdqvDriver : ISecondaryQueues, IDisposable
{
    private readonly IMmio mmio;
    private readonly DriverPlatform platform;
    private readonly Func<int> currentCpu;
    private readonly int queueLog2;
    private bool disposed;

    private CmdqvDriver(SmmuDriver smmu, IMmio mmio, CmdqvDriverOptions options, uint param)
    {
        Smmu = smmu;
        Options = options;
        this.mmio = mmio;
        platform = smmu.Platform with { Mmio = mmio, Events = null };
        var cpus = new CpuNumbering();
        currentCpu = options.CurrentCpu ?? (() => cpus.Current);
        Version = (int)CmdqvParam.VER.Get(param);
        NumVintfs = 1 << (int)CmdqvParam.NUM_VINTF_LOG2.Get(param);
        NumVcmdqs = 1 << (int)CmdqvParam.NUM_VCMDQ_LOG2.Get(param);
        NumSidsPerVintf = 1 << (int)CmdqvParam.NUM_SID_PER_VM_LOG2.Get(param);
        LogicalQueuesPerVintf = NumVcmdqs / NumVintfs;
        queueLog2 = Math.Clamp(Math.Min(options.MaxQueueLog2, smmu.Features.CmdqLog2), CommandQueueOptions.MinLog2Entries, CommandQueueOptions.MaxLog2Entries);
        userVintfs = new CmdqvUserVintf?[NumVintfs];
        Vintf0 = new CmdqvVintf(0, vmid: 0, LogicalQueuesPerVintf);
    }

    public SmmuDriver Smmu { get; }

    public CmdqvDriverOptions Options { get; }

    public string Name => Options.Name;

    /// <summary>CMDQV_PARAM.VER.</summary>
    public int Version { get; }

    public int NumVintfs { get; }

    public int NumVcmdqs { get; }

    public int NumSidsPerVintf { get; }

    /// <summary>Logical VCMDQs each VINTF may have: the global pool divided evenly (static assignment).</summary>
    public int LogicalQueuesPerVintf { get; }

    /// <summary>The kernel's VINTF (HYP_OWN = 1 on a host).</summary>
    public CmdqvVintf Vintf0 { get; }

    /// <summary>VINTF0's logical VCMDQs, by lidx.</summary>
    public IReadOnlyList<LogicalVcmdq> KernelQueues => [.. Vintf0.Queues.OfType<LogicalVcmdq>()];

    /// <summary>
    /// Probes the CMDQV in <paramref name="cmdqvMmio"/> beside <paramref name="smmu"/> and installs
    /// it as the SMMU's secondary queues. The steps follow the kernel: read PARAM; allocate VINTF0
    /// and all its logical VCMDQs (<c>init_structures</c>); then reset: toggle CMDQV_EN, write the
    /// static CMDQ_ALLOC assignment, and init VINTF0 with HYP_OWN = 1, which maps and enables its
    /// queues. Returns null, leaving the SMMU's CMDQ in sole use, with <see cref="CmdqvDriverOptions.Disable"/>.
    /// </summary>
    public static CmdqvDriver? Probe(SmmuDriver smmu, IMmio cmdqvMmio, CmdqvDriverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(smmu);
        ArgumentNullException.ThrowIfNull(cmdqvMmio);
        options ??= new CmdqvDriverOptions();
        if (options.Disable)
        {
            cmdqvMmio.Write32(CmdqvRegister.CONFIG, 0);
            return null;
        }

        var driver = new CmdqvDriver(smmu, cmdqvMmio, options, cmdqvMmio.Read32(CmdqvRegister.PARAM));
        driver.InitStructures();
        driver.HardwareReset();
        smmu.SetSecondaryQueues(driver);
        return driver;
    }

    /// <summary>
    /// The kernel's <c>tegra241_cmdqv_get_cmdq</c>: the calling CPU's logical VCMDQ of VINTF0, or
    /// null (the SMMU's CMDQ) when bypassed, when VINTF0 or that queue is not enabled, or when the
    /// queue does not support <paramref name="command"/>.
    /// </summary>
    public CommandQueue? QueueFor(in Command command)
    {
        if (Options.BypassVcmdq || !Vintf0.Enabled)
        {
            return null;
        }

        var lidx = (int)((uint)currentCpu() % (uint)LogicalQueuesPerVintf);
        var lvcmdq = Vintf0.Queues[lidx];
        return lvcmdq is { Enabled: true } && lvcmdq.Queue.Supports(command) ? lvcmdq.Queue : null;
    }

    /// <summary>
    /// Removes the CMDQV while the SMMU's CMDQ still works (the 2026 teardown fix: the deinit issues
    /// CMD_SYNCs on it): commands go back to the SMMU's CMDQ, the VMs' VINTFs and then VINTF0 are
    /// torn down, and the rings are freed.
    /// </summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Smmu.SetSecondaryQueues(null);
        foreach (var user in userVintfs)
        {
            user?.Dispose();
        }

        VintfHardwareDeinit(Vintf0);
        foreach (var q in Vintf0.Queues)
        {
            q?.Queue.Dispose();
        }

        mmio.Write32(CmdqvRegister.CONFIG, 0);
    }

    /// <summary>
    /// The kernel's <c>init_structures</c>: VINTF0 and every logical VCMDQ it will have, with their
    /// rings. With <see cref="CmdqvDriverOptions.BuggyInitOrder"/> the supported-command check is
    /// chosen here, from a HYP_OWN that is not known yet (false): the old, wrong place.
    /// </summary>
    private void InitStructures()
    {
        for (var lidx = 0; lidx < LogicalQueuesPerVintf; lidx++)
        {
            var lvcmdq = new LogicalVcmdq(Vintf0, lidx, GlobalIndex(0, lidx), platform, queueLog2, Options.PollTimeout, $"{Name} vintf0 lvcmdq{lidx}");
            if (Options.BuggyInitOrder)
            {
                lvcmdq.Filter = Vintf0.HypOwn ? null : CmdqvCommands.GuestSupports;
            }

            Vintf0.Queues[lidx] = lvcmdq;
        }
    }

    /// <summary>The static assignment: VINTF v's lidx l is global VCMDQ v * per-VINTF + l.</summary>
    private int GlobalIndex(int vintf, int lidx) => (vintf * LogicalQueuesPerVintf) + lidx;

    /// <summary>Reads <paramref name="offset"/> until the bits in <paramref name="mask"/> equal <paramref name="want"/>.</summary>
    private void PollUntil(int offset, uint mask, uint want, string what)
    {
        if (!platform.Waiter.WaitForRegister(mmio, offset, mask, want, Options.PollTimeout))
        {
            throw new SmmuProbeException($"{Name}: {what} did not reach 0x{want:x} (register 0x{offset:x} = 0x{mmio.Read32(offset):x})");
        }
    }
}
