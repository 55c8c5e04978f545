using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdq;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Driver.Tests.Cmdq;

/// <summary>
/// Several producers insert at least 10^5 commands concurrently through a 256-entry queue. Every
/// command is a CMD_PREFETCH_ADDR whose SID is the producer, whose address is the producer's
/// sequence number and whose SSID is its position in its list, so the consumed stream alone shows
/// loss, duplication, reordering and interleaving.
/// </summary>
public sealed class CommandQueueConcurrencyTests(ITestOutputHelper output)
{
    private const int Producers = 6;
    private const int CommandsPerProducer = 40_000;
    private const int IllegalEvery = 500;

    [Theory]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Msi, false)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Sev, false)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Poll, false)]
    [InlineData(ConsumptionMode.Inline, SyncCompletionMode.Msi, false)]
    [InlineData(ConsumptionMode.FreeRunning, SyncCompletionMode.Msi, true)]
    [InlineData(ConsumptionMode.Inline, SyncCompletionMode.Sev, true)]
    public void Concurrent_producers_have_every_command_consumed_once_in_their_order_without_interleaving_and_every_sync_completes(
        ConsumptionMode mode, SyncCompletionMode completion, bool withIllegalCommands)
    {
        using var bed = new CommandQueueTestBed(mode, completion, log2Entries: 8, timeout: TimeSpan.FromSeconds(10));
        var log = new Command[(Producers * CommandsPerProducer * 2) + 16];
        var logged = 0;
        var lastConsumed = new long[Producers];
        Array.Fill(lastConsumed, -1);

        // Runs under the device lock, one command at a time, in consumption order.
        bed.Smmu.AddObserver(new DelegateObserver
        {
            OnCommand = (_, seen) =>
            {
                var c = seen.Command;
                log[logged++] = c;
                if (c.Opcode == Opcode.CMD_PREFETCH_ADDR)
                {
                    Volatile.Write(ref lastConsumed[c.Get(CommandLayouts.Sid)], (long)(CommandLayouts.Addr.GetAddress(c.Dw1) >> 12));
                }
            },
        });

        var failures = new List<string>();
        var syncsRequested = new int[Producers];
        var start = new Barrier(Producers);
        var threads = new Thread[Producers];

        // Timed from before the threads start to after the last one ends: a pessimistic rate.
        var stopwatch = Stopwatch.StartNew();
        for (var t = 0; t < Producers; t++)
        {
            var producer = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    Produce(bed.Queue, producer, lastConsumed, ref syncsRequested[producer], withIllegalCommands && producer == 0, start);
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add($"producer {producer}: {e}");
                    }
                }
            })
            { IsBackground = true, Name = $"producer {t}" };
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "a producer hung");
        }

        stopwatch.Stop();
        Assert.Empty(failures);
        bed.Queue.Sync();

        // Per producer: sequence numbers appear exactly once each, in order (so nothing is lost,
        // duplicated or reordered). Within a list (SSID > 0) the previous consumed command is the
        // same producer's previous one: nobody else's command or CMD_SYNC got in between.
        var next = new long[Producers];
        var syncsConsumed = 0;
        for (var i = 0; i < logged; i++)
        {
            var c = log[i];
            if (c.Opcode == Opcode.CMD_SYNC)
            {
                syncsConsumed++;
                continue;
            }

            Assert.Equal(Opcode.CMD_PREFETCH_ADDR, c.Opcode);
            var producer = (int)c.Get(CommandLayouts.Sid);
            var seq = (long)(CommandLayouts.Addr.GetAddress(c.Dw1) >> 12);
            Assert.Equal(next[producer]++, seq);
            if (c.Get(CommandLayouts.Ssid) != 0)
            {
                var previous = log[i - 1];
                Assert.Equal(Opcode.CMD_PREFETCH_ADDR, previous.Opcode);
                Assert.Equal((ulong)producer, previous.Get(CommandLayouts.Sid));
                Assert.Equal(seq - 1, (long)(CommandLayouts.Addr.GetAddress(previous.Dw1) >> 12));
            }
        }

        Assert.All(next, n => Assert.Equal(CommandsPerProducer, n));
        var stats = bed.Queue.Statistics;

        // Every illegal command became a CMD_SYNC through the GERROR handler, racing the producers.
        var illegal = withIllegalCommands ? (CommandsPerProducer + IllegalEvery - 1) / IllegalEvery : 0;
        Assert.Equal(illegal, stats.IllegalCommands);
        Assert.Equal(syncsRequested.Sum() + 1 + illegal, syncsConsumed);
        Assert.Equal(syncsConsumed - illegal, stats.SyncsIssued);
        Assert.Equal((Producers * CommandsPerProducer) + illegal, stats.CommandsIssued);

        // Every entry was published by exactly one owner, and the queue is idle and consistent.
        Assert.Equal(stats.CommandsIssued + stats.SyncsIssued, stats.OwnerPublishedEntries);
        Assert.Equal(0, bed.Queue.Lock.Value);
        Assert.False(bed.Queue.IsOwned);
        Assert.Equal(bed.Queue.SoftwareProd, bed.HardwareProd);
        Assert.Equal(bed.HardwareProd, bed.HardwareCons);
        Assert.Equal(0L, stats.Timeouts);

        var total = Producers * CommandsPerProducer;
        output.WriteLine($"{mode}/{completion}{(withIllegalCommands ? $" with {illegal} illegal" : "")}: {total} commands + {syncsConsumed} CMD_SYNCs by {Producers} producers in " +
            $"{stopwatch.Elapsed.TotalMilliseconds:0} ms = {total / stopwatch.Elapsed.TotalSeconds:0} commands/s; " +
            $"{(total + syncsConsumed) / 256} laps of a 256-entry queue");
        output.WriteLine(stats.ToString());
    }

    private static void Produce(
        CommandQueue queue, int producer, long[] lastConsumed, ref int syncs, bool illegal, Barrier start)
    {
        var rng = new Random(1000 + producer);
        Span<Command> list = stackalloc Command[33];
        start.SignalAndWait();

        var seq = 0;
        while (seq < CommandsPerProducer)
        {
            var len = Math.Min(CommandsPerProducer - seq, rng.Next(1, 33));
            for (var i = 0; i < len; i++)
            {
                list[i] = new Command(
                    (ulong)Opcode.CMD_PREFETCH_ADDR | CommandLayouts.Sid.Make((ulong)producer) | CommandLayouts.Ssid.Make((ulong)i),
                    CommandLayouts.Addr.InsertAddress(0, (ulong)(seq + i) << 12));
            }

            var sync = rng.Next(4) == 0 || seq + len == CommandsPerProducer;

            // Every so often, an undefined opcode closes the list (so the list stays contiguous).
            var n = len;
            if (illegal && (seq == 0 || (seq - 1) / IllegalEvery != (seq + len - 1) / IllegalEvery))
            {
                list[n++] = new Command(0xFF, 0);
            }

            queue.IssueCommands(list[..n], sync);
            seq += len;
            if (sync)
            {
                syncs++;

                // A completed CMD_SYNC means this producer's commands before it were all consumed.
                var consumed = Volatile.Read(ref lastConsumed[producer]);
                if (consumed != seq - 1)
                {
                    throw new InvalidOperationException($"CMD_SYNC completed with command {seq - 1} issued but only {consumed} consumed");
                }
            }
        }
    }
}
