using BenchmarkDotNet.Attributes;
using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Observation;
using SmmuLab.Machines;

namespace SmmuLab.Benchmarks;

/// <summary>
/// Invalidation throughput of two threads, each issuing batches of one TLBI_NH_VA and a CMD_SYNC
/// (and waiting for it), through the driver and the model with inline consumption: either each
/// thread on its own VCMDQ of a Tegra241 CMDQV (<see cref="PerThreadVcmdqs"/>), or both on the
/// SMMU's single CMDQ (the CMDQV probed but bypassed). One operation is one batch. With
/// <see cref="CommandsObserved"/>, an observer of commands is attached, so every command runs under
/// the device lock; without it a VCMDQ's TLBI (the TLB is empty) and polled CMD_SYNC run without it.
/// </summary>
[MemoryDiagnoser]
public class CmdqvBenchmarks
{
    private const int Threads = 2;
    private const int BatchesPerThread = 2000;

    /// <summary>Each worker thread's CPU number, set once by the worker.</summary>
    private readonly ThreadLocal<int> workerCpu = new();

    private DriverMachine machine = null!;
    private SmmuDriver smmu = null!;
    private Barrier start = null!;
    private Barrier done = null!;
    private Thread[] workers = [];
    private volatile bool stopping;

    /// <summary>true: per-thread VCMDQs; false: the single main CMDQ.</summary>
    [Params(false, true)]
    public bool PerThreadVcmdqs { get; set; }

    /// <summary>true: an observer of commands is attached (every command under the device lock).</summary>
    [Params(false, true)]
    public bool CommandsObserved { get; set; }

    private IDisposable? observation;

    [GlobalSetup]
    public void Setup()
    {
        machine = new DriverMachine(new LegacyInvalidation());
        var node = machine.AddSmmu("smmu0");
        smmu = node.Driver;
        observation = CommandsObserved ? node.Device.AddObserver(new DelegateObserver { OnCommand = (_, _) => { } }) : null;
        machine.AttachCmdqv("smmu0", driverOptions: new CmdqvDriverOptions { BypassVcmdq = !PerThreadVcmdqs, CurrentCpu = () => workerCpu.Value });
        start = new Barrier(Threads + 1);
        done = new Barrier(Threads + 1);
        workers = [.. Enumerable.Range(0, Threads).Select(cpu => new Thread(() => Worker(cpu)) { IsBackground = true })];
        foreach (var w in workers)
        {
            w.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        stopping = true;
        start.SignalAndWait();
        foreach (var w in workers)
        {
            w.Join();
        }

        start.Dispose();
        done.Dispose();
        observation?.Dispose();
        machine.Dispose();
    }

    /// <summary>Both threads issue their batches; returns when both are done.</summary>
    [Benchmark(OperationsPerInvoke = Threads * BatchesPerThread)]
    public void TwoThreadsTlbiSyncBatches()
    {
        start.SignalAndWait();
        done.SignalAndWait();
    }

    private void Worker(int cpu)
    {
        workerCpu.Value = cpu;
        var asid = (ushort)(cpu + 1);
        Span<Command> storage = stackalloc Command[Driver.Cmdq.CommandBatch.Capacity];
        while (true)
        {
            start.SignalAndWait();
            if (stopping)
            {
                return;
            }

            for (var i = 0; i < BatchesPerThread; i++)
            {
                var tlbi = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, asid, (ulong)(i & 1023) << 12, leaf: true);
                var batch = smmu.NewBatch(storage, tlbi);
                batch.Add(tlbi);
                batch.Submit();
            }

            done.SignalAndWait();
        }
    }
}
