using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>
/// A memory with RAM below 1 TiB, a stream table and methods that write STEs, CDs and level-1
/// descriptors with the Architecture field layouts.
/// </summary>
internal sealed class ConfigTestBed
{
    public const ulong RamEnd = 1UL << 40;
    public const ulong LinearTable = 0x0010_0000;
    public const ulong L1Table = 0x0020_0000;
    public const ulong CdTable = 0x0100_0000;
    public const ulong Unbacked = 0x0000_F000_0000_0000;
    public const uint Cr2RecInvSid = 1u << 1;

    public ConfigTestBed(SmmuFeatures? features = null, StreamTableRegisters? regs = null,
        int steCapacity = 256, int cdCapacity = 1024, int l1Capacity = 64, IIpaTranslator? translator = null)
    {
        Features = features ?? new SmmuFeatures();
        Regs = regs ?? StreamTableRegisters.Linear(LinearTable, 8);
        Cache = new ConfigCache(Features, Memory, translator, steCapacity, cdCapacity, l1Capacity);
    }

    public SparsePhysicalMemory Memory { get; } = new([(0UL, RamEnd)]);

    public SmmuFeatures Features { get; }

    public StreamTableRegisters Regs { get; set; }

    public uint Cr2 { get; set; } = Cr2RecInvSid;

    public ConfigCache Cache { get; }

    public ConfigResult Lookup(uint sid, uint? ssid = null) => Cache.Lookup(Regs, Cr2, sid, ssid);

    public void Write(ulong pa, ulong[] dwords) => StructureImages.Write(Memory, pa, dwords);

    /// <summary>Writes an STE into the linear table.</summary>
    public void WriteSte(uint sid, ulong[] ste) => Write(LinearTable + (64UL * sid), ste);

    public void WriteL1Std(uint l1Index, ulong l2Ptr, int span) =>
        Memory.Write64(L1Table + (8UL * l1Index), L1Std.Span.Make((ulong)span) | L1Std.L2Ptr.InsertAddress(0, l2Ptr));

    public void WriteL1Cd(ulong l1Base, uint l1Index, ulong l2Ptr, bool valid = true) =>
        Memory.Write64(l1Base + (8UL * l1Index), L1Cd.V.Make(valid ? 1UL : 0) | L1Cd.L2Ptr.InsertAddress(0, l2Ptr));
}
