using Microsoft.Coyote.Specifications;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Hardware.Cmdqv;
using SmmuLab.Hardware.Observation;
using SmmuLab.Machines;

namespace SmmuLab.Exploration;

/// <summary>
/// (e) Tegra241 CMDQV: per-CPU VCMDQs of VINTF0 beside the SMMU's CMDQ. Three tasks are CPUs 0, 1
/// and 2 with two logical VCMDQs, so CPUs 0 and 2 share a VCMDQ (lock-free producers on it) and
/// CPU 1 has its own; a fourth task issues on the SMMU's CMDQ. Each issues TLBIs with a CMD_SYNC.
/// </summary>
public static class CmdqvExploration
{
    /// <summary>One iteration (internal: the fault switch is the driver's, for tests), the VCMDQs' producers with <paramref name="fault"/> (<see cref="CommandQueueFault.None"/>: the real driver).</summary>
    internal static async Task Run(CommandQueueFault fault)
    {
        var waiter = new CoyoteWaiter();
        using var m = new DriverMachine(DesignFactory.Linux(waiter), waiter: waiter);
        var s0 = m.AddQuietSmmu("smmu0");
        var cpu = new AsyncLocal<int>();
        var cmdqv = m.AttachCmdqv("smmu0", new Tegra241CmdqvOptions { Name = "smmu0 cmdqv", VcmdqsLog2 = 1, VintfsLog2 = 0 },
            new CmdqvDriverOptions { Name = "smmu0 cmdqv", CurrentCpu = () => cpu.Value, MaxQueueLog2 = CommandQueueOptions.MinLog2Entries });
        var driver = cmdqv.Driver!;
        Specification.Assert(driver.LogicalQueuesPerVintf == 2, $"{driver.LogicalQueuesPerVintf} logical VCMDQs");
        foreach (var q in driver.KernelQueues)
        {
            q.Queue.Fault = fault;
        }

        // Consumed commands by ASID: how often, and from which queue (-1: the CMDQ). The observer
        // runs under a device lock Coyote does not control: plain accesses only.
        var seen = new int[0x500];
        var queueOf = new int[0x500];
        using var watch = s0.Device.AddObserver(new DelegateObserver
        {
            OnCommand = (_, c) =>
            {
                if (c.Command.Opcode == Opcode.CMD_TLBI_NH_ASID && c.Command.Get(CommandLayouts.Asid) is var asid and >= 0x100 and < 0x500)
                {
                    seen[asid]++;
                    queueOf[asid] = c.Queue.Vcmdq;
                }
            },
        });

        var late = 0;
        Task Cpu(int n, int first, int count) => Task.Run(() =>
        {
            cpu.Value = n;
            for (var i = 0; i < count; i++)
            {
                var command = Command.TlbiNhAsid(0, (ushort)(first + i));
                s0.Driver.CommandQueueFor(command).IssueCommandWithSync(command);
                late += seen[first + i] > 0 ? 0 : 1;
            }
        });
        var main = Task.Run(() =>
        {
            Command[] batch = [.. Enumerable.Range(0x400, 8).Select(t => Command.TlbiNhAsid(0, (ushort)t))];
            s0.Driver.Cmdq.IssueCommands(batch, sync: true);
            late += seen[0x407] > 0 ? 0 : 1;
        });
        await Task.WhenAll(Cpu(0, 0x100, 3), Cpu(1, 0x200, 3), Cpu(2, 0x300, 3), main);

        Specification.Assert(late == 0, $"{late} CMD_SYNC wait(s) returned before their commands were consumed");
        var expected = new (int First, int Count, int Queue)[]
        {
            (0x100, 3, driver.KernelQueues[0].GlobalIndex), (0x200, 3, driver.KernelQueues[1].GlobalIndex), (0x300, 3, driver.KernelQueues[0].GlobalIndex), (0x400, 8, -1),
        };
        foreach (var (first, count, queue) in expected)
        {
            for (var t = first; t < first + count; t++)
            {
                Specification.Assert(seen[t] == 1, $"command 0x{t:x} consumed {seen[t]} times, not exactly once");
                Specification.Assert(queueOf[t] == queue, $"command 0x{t:x} consumed from queue {queueOf[t]}, not {queue}");
            }
        }
    }
}
