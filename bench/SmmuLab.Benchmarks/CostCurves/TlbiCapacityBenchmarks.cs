using BenchmarkDotNet.Attributes;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Benchmarks.CostCurves;

/// <summary>
/// How a TLB invalidation's cost grows with the TLB: one TLBI_NH_VA of a single page, and one
/// range TLBI_NH_VA of 32 pages (RIL), consumed by the model with a full TLB of 1 Ki, 16 Ki or
/// 256 Ki entries (4 ways). A single-page invalidation must not grow with capacity (it probes the
/// sets of its block sizes); a range probes a few sets per block size.
/// </summary>
[MemoryDiagnoser]
public class TlbiCapacityBenchmarks
{
    private const int QueueLog2 = 10;
    private const int Commands = 1 << QueueLog2;
    private const ulong CmdqBase = 0x4000_0000;
    private SparsePhysicalMemory memory = null!;
    private SmmuDevice smmu = null!;
    private uint prod;

    [Params(1024, 16384, 262144)]
    public int TlbEntries { get; set; }

    /// <summary>False: single-page TLBI_NH_VA; true: a 32-page range TLBI_NH_VA.</summary>
    [Params(false, true)]
    public bool Range { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        memory = new SparsePhysicalMemory();
        smmu = new SmmuDevice(new SmmuDeviceOptions { TlbCapacity = TlbEntries, TlbWays = 4 }, memory);
        smmu.Write64(SmmuRegister.CMDQ_BASE, CmdqBase | QueueLog2);
        smmu.Write32(SmmuRegister.CR0, (uint)Cr0.CMDQEN.Make(1));

        // A full TLB of ASID 5 pages; the commands name other pages of that ASID, so each one
        // searches a full TLB and removes nothing (the TLB stays full from lap to lap).
        for (var i = 0; i < TlbEntries; i++)
        {
            smmu.Tlb.Insert(TranslationContext.Stage1Nh(0, 5), Granule.Size4K, (ulong)i << 12,
                WalkResult.Translated((ulong)i << 12, 12, 3, Permissions.All, false));
        }

        for (var i = 0; i < Commands; i++)
        {
            var address = (ulong)(TlbEntries + (64 * i)) << 12;
            var cmd = Range
                ? Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, address, leaf: true, tg: 1, ttl: 3, scale: 0, num: 31)
                : Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, address, leaf: true);
            memory.Write64(CmdqBase + ((ulong)i * 16), cmd.Dw0);
            memory.Write64(CmdqBase + ((ulong)i * 16) + 8, cmd.Dw1);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => smmu.Dispose();

    /// <summary>One lap of the queue: 1024 TLBIs consumed after a single PROD write; the time per TLBI.</summary>
    [Benchmark(OperationsPerInvoke = Commands)]
    public void ConsumeTlbi()
    {
        prod = QueuePointer.Increment(prod, QueueLog2, Commands);
        smmu.Write32(SmmuRegister.CMDQ_PROD, prod);
    }
}
