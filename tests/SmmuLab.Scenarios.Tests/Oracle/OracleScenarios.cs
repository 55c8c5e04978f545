using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Scenarios.Tests.Oracle;

/// <summary>Scenario texts for the oracle tests.</summary>
internal static class OracleScenarios
{
    /// <summary>map (#1) -> DMA that fills the TLB/ATC (#2) -> unmap (#3) -> DMA of an unmapped page (#4, no expectation: the oracle judges it).</summary>
    public static string Plain => UnmapThenDma(ats: false);

    /// <summary>The same with an ATS endpoint on an SMMU with ATS.</summary>
    public static string Ats => UnmapThenDma(ats: true);

    /// <summary>map, DMA, detach (#3), DMA that must be aborted (#4).</summary>
    public static string DetachThenDma => new ScenarioBuilder()
        .Invalidation("legacy")
        .Smmu("smmu0", "s1", "s2", "ats")
        .Device("nic", [0x20], smmu: "smmu0", ats: true)
        .Domain("dom", "s1")
        .Attach("nic", "dom")
        .Map("dom", 0x10000, 0x80000000, 0x1000)
        .Dma("nic", 0x10000, 0x1000, "write", expect: "ok")
        .Detach("nic")
        .Dma("nic", 0x10000, 0x1000, "read", expect: "fault")
        .ToToml();

    /// <summary>An identity domain: DMA lands at PA == IOVA.</summary>
    public static string Identity => new ScenarioBuilder()
        .Invalidation("legacy")
        .Smmu("smmu0", "s1", "s2")
        .Device("nic", [0x20], smmu: "smmu0")
        .Domain("bypass", "identity")
        .Attach("nic", "bypass")
        .Dma("nic", 0x100000000, 0x3000, "write", expect: "ok")
        .ToToml();

    private static string UnmapThenDma(bool ats) => new ScenarioBuilder()
        .Invalidation("legacy")
        .Smmu("smmu0", ats ? ["s1", "s2", "ats"] : ["s1", "s2"])
        .Device("nic", [0x20], smmu: "smmu0", ats: ats)
        .Domain("dom", "s1")
        .Attach("nic", "dom")
        .Map("dom", 0x10000, 0x80000000, 0x2000)
        .Dma("nic", 0x10000, 0x2000, "write", expect: "ok")
        .Unmap("dom", 0x10000, 0x2000)
        .Dma("nic", 0x10000, 0x1000, "read")
        .ToToml();
}
