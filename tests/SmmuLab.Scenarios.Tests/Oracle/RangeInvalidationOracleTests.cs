using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Reporting;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios.Tests.Oracle;

/// <summary>
/// Range invalidation of 2^32 pages or more (docs/findings.md). IHI0070 4.4.1.1: a range TLBI
/// covers (NUM+1) * 2^SCALE pages and, without SMMU_IDR5.DS, SCALE is five bits. Linux's split
/// computes SCALE 32 for a 2^32-page chunk and masks it to 0, so the command covers one chunk of
/// pages at the start and the rest stays in the TLB; the range-fallback option invalidates the
/// whole ASID/VMID instead.
/// </summary>
public class RangeInvalidationOracleTests
{
    private const string FindingFile = "range-tlbi-2pow32-pages.toml";

    [Theory]
    [InlineData("linux")]
    [InlineData("legacy")]
    public void An_unmap_of_16_TiB_leaves_a_stale_translation_beyond_the_masked_range_4_4_1_1(string design)
    {
        var run = Run(Finding(), design);

        Assert.False(run.Report.Succeeded);
        Assert.True(run.Report.Steps[4].Dma!.Ok, "the 1 GiB block at +4 GiB stayed in the TLB");
        var v = Assert.Single(run.Oracle.Violations);
        Assert.Equal((ViolationKind.Stale, 4, 3, 0x1001_0000_0000UL, 0x1_0000_0000UL), (v.Kind, v.Step, v.KilledBy!.Value.Step, v.Iova, v.PhysicalAddress));

        // What the unmap sent: the SCALE-32 chunk as SCALE 0, NUM 0, TTL 1 (one level-1 block at the
        // range's start), accepted by the SMMU: no CERROR_ILL.
        Assert.Equal(["TLBI_NH_VA", "SYNC"], v.Commands.Select(c => c.Op));
        var tlbi = v.Commands[0].Command;
        Assert.Equal((0UL, 0UL, 1UL, 1UL, 1UL), (tlbi.Get(CommandLayouts.Scale), tlbi.Get(CommandLayouts.Num), tlbi.Get(CommandLayouts.Ttl),
            tlbi.Get(CommandLayouts.Tg), tlbi.Get(CommandLayouts.Leaf)));
        Assert.Equal(0x1000_0000_0000UL, CommandLayouts.Addr.GetAddress(tlbi.Dw1));
        Assert.Equal(0, run.CommandErrors);
    }

    [Theory]
    [InlineData("linux")]
    [InlineData("legacy")]
    public void With_range_fallback_the_same_unmap_invalidates_the_whole_ASID_and_is_clean(string design)
    {
        var run = Run(WithFallback(Finding()), design);

        Assert.True(run.Report.Succeeded, run.Report.Format());
        Assert.Equal(0, run.Oracle.ViolationCount);
        Assert.Equal(1L, run.Commands(Opcode.CMD_TLBI_NH_ASID));
        Assert.Equal(0L, run.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.Contains("invalidation: " + design + ", range-fallback", run.Report.Format(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux", false)]
    [InlineData("linux", true)]
    [InlineData("legacy", false)]
    [InlineData("legacy", true)]
    public void A_stage_2_domain_falls_back_to_TLBI_S12_VMALL(string design, bool fallback)
    {
        var scenario = ScenarioParser.Parse(Unmap16TiB(kind: "s2", features: "\"s2\", \"ril\", \"msi\""), "s2.toml");
        var run = Run(fallback ? WithFallback(scenario) : scenario, design);

        Assert.Equal(fallback, run.Report.Succeeded);
        Assert.Equal(fallback ? 0 : 1, run.Oracle.ViolationCount);
        Assert.Equal(fallback ? 1L : 0L, run.Commands(Opcode.CMD_TLBI_S12_VMALL));
        Assert.Equal(fallback ? 0L : 1L, run.Commands(Opcode.CMD_TLBI_S2_IPA));
    }

    [Theory]
    [InlineData("linux", false)]
    [InlineData("linux", true)]
    [InlineData("legacy", false)]
    [InlineData("legacy", true)]
    public void A_non_leaf_sva_invalidation_of_16_TiB_is_the_reserved_encoding_and_is_dropped_4_4_1_1(string design, bool fallback)
    {
        // munmap notifies the SVA domain with a non-leaf range (TTL 0): SCALE 0, NUM 0, TTL 0 is
        // Reserved, CERROR_ILL; the driver skips it as Linux does, and nothing is invalidated.
        var scenario = ScenarioParser.Parse(Unmap16TiB(kind: "sva", features: "\"s1\", \"ril\", \"msi\"", pasid: "pasid = 1"), "sva.toml");
        var run = Run(fallback ? WithFallback(scenario) : scenario, design);

        Assert.Equal(fallback, run.Report.Succeeded);
        Assert.Equal(fallback ? 0 : 1, run.Oracle.ViolationCount);
        Assert.Equal(fallback ? 0 : 1, run.CommandErrors);
        Assert.Equal(fallback ? 1L : 0L, run.Commands(Opcode.CMD_TLBI_NH_ASID));
    }

    [Fact]
    public void The_range_fallback_key_is_a_top_level_boolean_for_every_SMMU()
    {
        var on = ScenarioParser.Parse("range-fallback = true\n" + ScenarioText.Example, "on.toml");
        var off = ScenarioParser.Parse(ScenarioText.Example, "off.toml");

        Assert.All(on.Smmus, s => Assert.True(s.RangeFallback));
        Assert.All(off.Smmus, s => Assert.False(s.RangeFallback));
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("range-fallback = \"yes\"\n" + ScenarioText.Example, "bad.toml"));
        Assert.Equal("range-fallback", e.Key);
    }

    internal static Scenario Finding() =>
        ScenarioParser.ParseFile(Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", "findings", FindingFile));

    private static Scenario WithFallback(Scenario s) => s with { Smmus = [.. s.Smmus.Select(m => m with { RangeFallback = true })] };

    /// <summary>attach, map 16 TiB (1 GiB blocks), DMA at +4 GiB, unmap all, DMA again (expect fault).</summary>
    private static string Unmap16TiB(string kind, string features, string pasid = "") => $$"""
        [[smmu]]
        name = "smmu0"
        features = [{{features}}]
        [[device]]
        name = "dev"
        sids = [0x20]
        [[domain]]
        name = "dom"
        kind = "{{kind}}"
        [[step]]
        op = "attach"
        device = "dev"
        domain = "dom"
        {{pasid}}
        [[step]]
        op = "map"
        domain = "dom"
        iova = 0x1000_0000_0000
        pa = 0
        size = 0x1000_0000_0000
        [[step]]
        op = "dma"
        device = "dev"
        iova = 0x1001_0000_0000
        size = 0x1000
        access = "read"
        expect = "ok"
        {{pasid}}
        [[step]]
        op = "unmap"
        domain = "dom"
        iova = 0x1000_0000_0000
        size = 0x1000_0000_0000
        [[step]]
        op = "dma"
        device = "dev"
        iova = 0x1001_0000_0000
        size = 0x1000
        access = "read"
        expect = "fault"
        {{pasid}}
        [machine]
        ram-base = 0
        ram = "17TiB"
        kernel-base = "16TiB"
        """;

    private static RunResult Run(Scenario scenario, string design)
    {
        var oracle = new StaleTranslationOracle();
        using var machine = new DriverScenarioMachine(InvalidationDesigns.Create(design), memory: scenario.Memory);
        var report = new ScenarioRunner(machine, new ScenarioRunOptions { Oracle = oracle }).Run(scenario with { Invalidation = design });
        oracle.Dispose();
        var stats = machine.Machine.Smmu("smmu0").Device.Statistics;
        var counts = Enum.GetValues<Opcode>().ToDictionary(op => op, stats.Commands);
        return new RunResult(report, oracle, (int)stats.CommandErrors, counts);
    }

    private sealed record RunResult(ScenarioReport Report, StaleTranslationOracle Oracle, int CommandErrors, Dictionary<Opcode, long> Counts)
    {
        public long Commands(Opcode op) => Counts[op];
    }
}
