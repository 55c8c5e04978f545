using BenchmarkDotNet.Attributes;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Benchmarks;

/// <summary>
/// Command consumption by the model: a full queue of TLBI_NH_VA commands consumed on one PROD
/// write, with a 1024-entry TLB kept full. Target: >= 5 M commands/s.
/// </summary>
[MemoryDiagnoser]
public class CommandBenchmarks
{
    private const int QueueLog2 = 12;
    private const int Commands = 1 << QueueLog2;
    private const ulong CmdqBase = 0x4000_0000;
    private SparsePhysicalMemory memory = null!;
    private SmmuDevice smmu = null!;
    private uint prod;

    [GlobalSetup]
    public void Setup()
    {
        memory = new SparsePhysicalMemory();
        smmu = new SmmuDevice(new SmmuDeviceOptions { TlbCapacity = 1024, TlbWays = 4 }, memory);
        smmu.Write64(SmmuRegister.CMDQ_BASE, CmdqBase | QueueLog2);
        smmu.Write32(SmmuRegister.CR0, (uint)Cr0.CMDQEN.Make(1));

        // Fill the TLB with 1024 entries of ASID 5, then queue TLBIs for other pages of the same ASID:
        // each command searches a full TLB and the TLB stays full from lap to lap.
        for (var i = 0; i < 1024; i++)
        {
            smmu.Tlb.Insert(TranslationContext.Stage1Nh(0, 5), Architecture.PageTables.Granule.Size4K, (ulong)i << 12,
                WalkResult.Translated((ulong)i << 12, 12, 3, Permissions.All, false));
        }

        for (var i = 0; i < Commands; i++)
        {
            var cmd = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, (ulong)(4096 + (i % 2048)) << 12, leaf: true);
            memory.Write64(CmdqBase + ((ulong)i * 16), cmd.Dw0);
            memory.Write64(CmdqBase + ((ulong)i * 16) + 8, cmd.Dw1);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => smmu.Dispose();

    /// <summary>One lap of the queue: 4096 TLBI_NH_VA commands consumed after a single PROD write.</summary>
    [Benchmark(OperationsPerInvoke = Commands)]
    public void ConsumeTlbiNhVa()
    {
        prod = QueuePointer.Increment(prod, QueueLog2, Commands);
        smmu.Write32(SmmuRegister.CMDQ_PROD, prod);
    }
}
