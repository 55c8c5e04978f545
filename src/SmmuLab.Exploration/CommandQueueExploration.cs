using Microsoft.Coyote.Specifications;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Observation;
using SmmuLab.Machines;

namespace SmmuLab.Exploration;

/// <summary>
/// (d) The lock-free command queue: three producers on a 128-entry queue (the smallest), with
/// batches of 64 and 40, lone commands, CMD_SYNCs, owner gathering, wrap and full-queue waits.
/// Every command is a TLBI_NH_ASID with a unique ASID, so the SMMU's consumption can be checked.
/// </summary>
public static class CommandQueueExploration
{
    /// <summary>
    /// One iteration (internal: the fault switch is the driver's, for tests), the queue's producers with <paramref name="fault"/> (<see cref="CommandQueueFault.None"/>:
    /// the real driver); what the schedule reached is added to <paramref name="reach"/>.
    /// </summary>
    internal static async Task Run(CommandQueueFault fault, CommandQueueReach? reach = null)
    {
        var waiter = new CoyoteWaiter();
        using var m = new DriverMachine(DesignFactory.Linux(waiter), waiter: waiter);
        var s0 = m.AddQuietSmmu("smmu0", new DriverOptions { MaxCmdqLog2 = CommandQueueOptions.MinLog2Entries });
        var cmdq = s0.Driver.Cmdq;
        cmdq.Fault = fault;

        // Consumed commands, in the SMMU's order (the observer runs under the device lock).
        var seen = new int[0x400];
        var order = new ushort[0x400];
        var consumed = 0;
        using var watch = s0.Device.AddObserver(new DelegateObserver
        {
            OnCommand = (_, c) =>
            {
                if (c.Command.Opcode == Opcode.CMD_TLBI_NH_ASID && c.Command.Get(CommandLayouts.Asid) is var asid and >= 0x100 and < 0x400)
                {
                    seen[asid]++;
                    order[consumed++] = (ushort)asid;
                }
            },
        });

        bool Completed(int tag) => seen[tag] > 0;
        static Command[] Batch(int first, int count) => [.. Enumerable.Range(first, count).Select(t => Command.TlbiNhAsid(0, (ushort)t))];

        var syncLate = 0;
        var p0 = Task.Run(() =>
        {
            for (var i = 0; i < 2; i++)
            {
                cmdq.IssueCommands(Batch(0x100 + (40 * i), 40), sync: true);
                syncLate += Completed(0x100 + (40 * i) + 39) ? 0 : 1;
            }
        });
        var p1 = Task.Run(() =>
        {
            cmdq.IssueCommands(Batch(0x200, 64), sync: false);
            cmdq.Sync();
            syncLate += Completed(0x200 + 63) ? 0 : 1;
        });
        var p2 = Task.Run(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                cmdq.IssueCommandWithSync(Command.TlbiNhAsid(0, (ushort)(0x300 + i)));
                syncLate += Completed(0x300 + i) ? 0 : 1;
            }
        });
        await Task.WhenAll(p0, p1, p2);

        Specification.Assert(syncLate == 0, $"{syncLate} CMD_SYNC wait(s) returned before their commands were consumed");
        int[] tags = [.. Enumerable.Range(0x100, 80), .. Enumerable.Range(0x200, 64), .. Enumerable.Range(0x300, 3)];
        var wrong = tags.Where(t => seen[t] != 1).ToArray();
        Specification.Assert(wrong.Length == 0, $"commands not consumed exactly once: {string.Join(", ", wrong.Select(t => $"0x{t:x}x{seen[t]}"))}");
        Specification.Assert(consumed == tags.Length, $"{consumed} commands consumed, {tags.Length} issued");

        // Each call's commands are one contiguous run, in order.
        var at = new int[0x400];
        for (var k = 0; k < consumed; k++)
        {
            at[order[k]] = k;
        }

        foreach (var (first, count) in new[] { (0x100, 40), (0x128, 40), (0x200, 64) })
        {
            for (var t = first + 1; t < first + count; t++)
            {
                Specification.Assert(at[t] == at[t - 1] + 1, $"run 0x{first:x} consumed out of order or interleaved at 0x{t:x}");
            }
        }

        // Counted even when nobody asked: the counts' Interlocked calls are scheduling points, so
        // every caller explores the same schedules from the same seed (the CLI the tests').
        (reach ?? new CommandQueueReach()).Add(cmdq.Statistics.FullQueueWaits, cmdq.Statistics.GatheredEntries, cmdq.Statistics.ReservationRetries);
        Specification.Assert(cmdq.Statistics.Timeouts == 0 && !cmdq.IsOwned && cmdq.Lock.Value == 0, "queue not idle at the end");
    }
}
