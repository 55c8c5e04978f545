namespace SmmuLab.Scenarios.Tests.Oracle;

/// <summary>Scenario texts for the oracle tests.</summary>
internal static class OracleScenarios
{
    /// <summary>
    /// map (#1) -> DMA that fills the TLB/ATC (#2) -> unmap (#3) -> DMA of an unmapped page (#4,
    /// no expectation: the oracle judges it). <c>{0}</c> is the SMMU's extra features, <c>{1}</c>
    /// the device's extra keys.
    /// </summary>
    public const string UnmapThenDma = """
        invalidation = "legacy"
        [[smmu]]
        name = "smmu0"
        features = ["s1", "s2"{0}]
        [[device]]
        name = "nic"
        smmu = "smmu0"
        sids = [0x20]
        {1}
        [[domain]]
        name = "dom"
        kind = "s1"
        [[step]]
        op = "attach"
        device = "nic"
        domain = "dom"
        [[step]]
        op = "map"
        domain = "dom"
        iova = 0x10000
        pa = 0x80000000
        size = 0x2000
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x2000
        access = "write"
        expect = "ok"
        [[step]]
        op = "unmap"
        domain = "dom"
        iova = 0x10000
        size = 0x2000
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x1000
        access = "read"
        """;

    /// <summary>The same without ATS.</summary>
    public static string Plain => string.Format(UnmapThenDma, string.Empty, string.Empty);

    /// <summary>The same with an ATS endpoint on an SMMU with ATS.</summary>
    public static string Ats => string.Format(UnmapThenDma, ", \"ats\"", "ats = true");

    /// <summary>map, DMA, detach (#3), DMA that must be aborted (#4).</summary>
    public const string DetachThenDma = """
        invalidation = "legacy"
        [[smmu]]
        name = "smmu0"
        features = ["s1", "s2", "ats"]
        [[device]]
        name = "nic"
        smmu = "smmu0"
        sids = [0x20]
        ats = true
        [[domain]]
        name = "dom"
        kind = "s1"
        [[step]]
        op = "attach"
        device = "nic"
        domain = "dom"
        [[step]]
        op = "map"
        domain = "dom"
        iova = 0x10000
        pa = 0x80000000
        size = 0x1000
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x1000
        access = "write"
        expect = "ok"
        [[step]]
        op = "detach"
        device = "nic"
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x1000
        access = "read"
        expect = "fault"
        """;

    /// <summary>An identity domain: DMA lands at PA == IOVA.</summary>
    public const string Identity = """
        invalidation = "legacy"
        [[smmu]]
        name = "smmu0"
        features = ["s1", "s2"]
        [[device]]
        name = "nic"
        smmu = "smmu0"
        sids = [0x20]
        [[domain]]
        name = "bypass"
        kind = "identity"
        [[step]]
        op = "attach"
        device = "nic"
        domain = "bypass"
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x100000000
        size = 0x3000
        access = "write"
        expect = "ok"
        """;
}
