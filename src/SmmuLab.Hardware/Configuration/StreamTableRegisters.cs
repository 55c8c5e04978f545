using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// The programmed SMMU_STRTAB_BASE and SMMU_STRTAB_BASE_CFG values (IHI0070 6.3.24, 6.3.25), as the
/// stream table walk reads them.
/// </summary>
/// <param name="Base">SMMU_STRTAB_BASE (ADDR [51:6], RA [62]).</param>
/// <param name="Cfg">SMMU_STRTAB_BASE_CFG (LOG2SIZE [5:0], SPLIT [10:6], FMT [17:16]).</param>
internal readonly record struct StreamTableRegisters(ulong Base, uint Cfg)
{
    /// <summary>The programmed table address, before alignment.</summary>
    public ulong Address => StrtabBase.ADDR.GetAddress(Base);

    /// <summary>The programmed LOG2SIZE (not yet capped by IDR1.SIDSIZE).</summary>
    public int Log2Size => (int)StrtabBase.LOG2SIZE.Get(Cfg);

    /// <summary>FMT: 1 selects the 2-level format; every other value behaves as linear (0).</summary>
    public bool IsTwoLevel => StrtabBase.FMT.Get(Cfg) == StrtabBase.Fmt2Level;

    /// <summary>SPLIT as the SMMU uses it: 6, 8 or 10; any other value behaves as 6.</summary>
    public int Split => StrtabBase.SPLIT.Get(Cfg) switch
    {
        8 => 8,
        10 => 10,
        _ => 6,
    };

    /// <summary>Builds the register pair for a linear table.</summary>
    public static StreamTableRegisters Linear(ulong address, int log2Size) =>
        new(StrtabBase.ADDR.InsertAddress(0, address), (uint)StrtabBase.LOG2SIZE.Make((ulong)log2Size));

    /// <summary>Builds the register pair for a 2-level table.</summary>
    public static StreamTableRegisters TwoLevel(ulong address, int log2Size, int split) =>
        new(StrtabBase.ADDR.InsertAddress(0, address),
            (uint)(StrtabBase.LOG2SIZE.Make((ulong)log2Size) | StrtabBase.SPLIT.Make((ulong)split)
                | StrtabBase.FMT.Make(StrtabBase.Fmt2Level)));
}
