using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Cmdqv;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Cmdqv;

/// <summary>Per-thread queue choice, batches split across queues, concurrency, and a host queue's error recovery.</summary>
public class CmdqvQueueChoiceTests
{
    private static Command Tlbi(ulong va) => Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 7, va, leaf: true);

    [Fact]
    public void Each_CPU_uses_its_own_logical_queue()
    {
        var cpu = 0;
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var cmdqv = m.AttachCmdqv("smmu0", driverOptions: new CmdqvDriverOptions { CurrentCpu = () => cpu });
        var driver = cmdqv.Driver!;
        Assert.Equal(4, driver.LogicalQueuesPerVintf);

        for (cpu = 0; cpu < 6; cpu++)
        {
            Assert.Same(driver.Vintf0.Queues[cpu % 4]!.Queue, smmu.Driver.CommandQueueFor(Tlbi(0x1000)));
            smmu.Driver.IssueWithSync([Tlbi(0x1000)]);
        }

        // CPUs 0 and 4 share lidx 0 (global VCMDQ 0), CPUs 1 and 5 lidx 1.
        Assert.Equal(2, cmdqv.Device.QueueStatistics(0).Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(2, cmdqv.Device.QueueStatistics(1).Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(1, cmdqv.Device.QueueStatistics(2).Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(1, cmdqv.Device.QueueStatistics(3).Commands(Opcode.CMD_TLBI_NH_VA));
    }

    [Fact]
    public void Batch_moves_to_the_main_queue_when_its_queue_refuses_a_command()
    {
        // A guest-filtered VINTF0 (HYP_OWN wired to 0): CFGI_STE is not for the VCMDQ.
        using var m = CmdqvMachine.Build(out var cmdqv, hypOwnWiredToZero: true);
        var smmu = m.Smmu("smmu0");
        var main = smmu.Device.Statistics;
        var syncsBefore = main.Commands(Opcode.CMD_SYNC);
        var tlbiBefore = main.Commands(Opcode.CMD_TLBI_NH_VA);
        var batch = smmu.Driver.NewBatch(new Command[CommandBatch.Capacity], Tlbi(0));
        Assert.NotSame(smmu.Driver.Cmdq, batch.Queue);

        batch.Add(Tlbi(0x1000));
        batch.Add(Tlbi(0x2000));
        batch.Add(Command.CfgiSte(0x40, leaf: true)); // sends the two TLBIs + CMD_SYNC on the VCMDQ, moves on
        Assert.Same(smmu.Driver.Cmdq, batch.Queue);
        batch.Add(Tlbi(0x3000)); // the main queue takes anything: the batch stays there
        batch.Submit();

        Assert.Equal(2, cmdqv.OnVcmdqs(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(1, cmdqv.OnVcmdqs(Opcode.CMD_SYNC));
        Assert.Equal(1, main.Commands(Opcode.CMD_TLBI_NH_VA) - tlbiBefore);
        Assert.Equal(1, main.Commands(Opcode.CMD_SYNC) - syncsBefore);
    }

    [Fact]
    public void Threads_issuing_through_their_VCMDQs_are_all_consumed()
    {
        const int Threads = 4;
        const int Batches = 300;
        using var m = CmdqvMachine.Build(out var cmdqv);
        var smmu = m.Smmu("smmu0").Driver;
        var mainBefore = m.Smmu("smmu0").Device.Statistics.CommandsConsumed;
        using var start = new Barrier(Threads);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Batches; i++)
            {
                var batch = smmu.NewBatch(new Command[CommandBatch.Capacity], Tlbi(0));
                batch.Add(Tlbi((ulong)(t + 1) << 20));
                batch.Add(Tlbi(((ulong)(t + 1) << 20) + 0x1000));
                batch.Submit();
            }
        })).ToArray();
        foreach (var w in workers)
        {
            w.Start();
        }

        foreach (var w in workers)
        {
            Assert.True(w.Join(TimeSpan.FromSeconds(60)));
        }

        Assert.Equal(Threads * Batches * 2, cmdqv.OnVcmdqs(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(Threads * Batches, cmdqv.OnVcmdqs(Opcode.CMD_SYNC));
        Assert.Equal(mainBefore, m.Smmu("smmu0").Device.Statistics.CommandsConsumed);
        foreach (var q in cmdqv.Driver!.KernelQueues)
        {
            var cons = cmdqv.Device.Read32(CmdqvRegister.LvcmdqPage0Register(0, q.Lidx, CmdqvRegister.VCMDQ_CONS));
            Assert.Equal(q.Queue.SoftwareProd, cons); // everything published was consumed
            Assert.Equal(0, q.Queue.Statistics.Timeouts);
        }
    }

    [Fact]
    public void Illegal_command_on_a_host_queue_is_skipped_by_the_interrupt_handler()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        var driver = cmdqv.Driver!;
        var lvcmdq = driver.KernelQueues[0];
        var errors = new List<CommandQueueError>();
        lvcmdq.Queue.CommandErrorHandled += (_, e) => errors.Add(e);

        // TLBI_EL2_ALL needs IDR0.HYP, which this SMMU lacks: the SMMU rejects it with CERROR_ILL.
        lvcmdq.Queue.IssueCommands([Command.TlbiEl2All(), Tlbi(0x1000)], sync: true);

        var e = Assert.Single(errors);
        Assert.Equal(Opcode.CMD_TLBI_EL2_ALL, e.Command.Opcode);
        Assert.Equal(1, driver.KernelQueueErrors);
        Assert.False(cmdqv.Device.QueueInError(lvcmdq.GlobalIndex));
        Assert.Equal(1, cmdqv.Device.QueueStatistics(lvcmdq.GlobalIndex).ErrorCount(VcmdqError.ILL_OPCODE));
        Assert.Equal(1, cmdqv.Device.QueueStatistics(lvcmdq.GlobalIndex).Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Equal(0u, m.Smmu("smmu0").Device.Read32(Architecture.Registers.SmmuRegister.GERROR));
    }

    [Fact]
    public void Disabled_CMDQV_leaves_the_main_queue_in_sole_use()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var cmdqv = m.AttachCmdqv("smmu0", new Tegra241CmdqvOptions(), new CmdqvDriverOptions { Disable = true });
        Assert.Null(cmdqv.Driver);
        Assert.Same(smmu.Driver.Cmdq, smmu.Driver.CommandQueueFor(Tlbi(0)));
    }

    [Fact]
    public void The_last_detach_flushes_the_ASID_through_the_CPUs_VCMDQ()
    {
        // Linux issues the flush with arm_smmu_cmdq_issue_cmd_with_sync(), which picks its queue
        // with arm_smmu_get_cmdq(): on a CMDQV, the CPU's VCMDQ.
        using var m = new DriverMachine(new Driver.Invalidation.Linux.LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var cmdqv = m.AttachCmdqv("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x10]);
        var domain = m.Iommu.AllocPaging("dom", Domains.DomainKind.S1);
        dev.Master.Attach(domain);
        var mainAsidFlushes = smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_ASID);
        var vcmdqAsidFlushes = cmdqv.OnVcmdqs(Opcode.CMD_TLBI_NH_ASID);

        dev.Master.Detach();

        Assert.Equal(1, cmdqv.OnVcmdqs(Opcode.CMD_TLBI_NH_ASID) - vcmdqAsidFlushes);
        Assert.Equal(0, smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_ASID) - mainAsidFlushes);
    }
}
