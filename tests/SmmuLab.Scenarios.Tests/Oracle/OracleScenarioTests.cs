using System.Text.Json;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Reporting;
using SmmuLab.TestSupport.Designs;
using SmmuLab.Tracing;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios.Tests.Oracle;

public class OracleScenarioTests
{
    [Fact]
    public void Skipped_leaf_invalidation_lets_the_DMA_after_unmap_use_the_stale_TLB_entry()
    {
        var (report, oracle) = Run(OracleScenarios.Plain, new SkipLeafInvalidation());

        Assert.True(report.Steps[4].Dma!.Ok, "the broken design leaves the TLB entry, so the DMA goes through");
        Assert.False(report.Succeeded);
        Assert.Equal(0, report.Failed); // no expectation failed: only the oracle catches it
        Assert.Equal(3, oracle.PagesChecked);
        var v = Assert.Single(oracle.Violations);
        Assert.Equal(ViolationKind.Stale, v.Kind);
        Assert.Equal((4, "nic", "smmu0", 0x20u, (uint?)null), (v.Step, v.Device, v.Smmu, v.StreamId, v.Pasid));
        Assert.Equal((0x10000UL, 0x8000_0000UL, false, false), (v.Iova, v.PhysicalAddress, v.Write, v.FromAtc));
        Assert.Equal(("dom", "dom"), (v.Domain, v.KilledDomain));
        Assert.Equal(3, v.KilledBy!.Value.Step);
        Assert.Equal("unmap dom 0x10000+0x2000", v.KilledBy.Value.Description);
        Assert.Empty(v.Commands); // the unmap invalidated nothing

        var text = report.Format();
        Assert.Contains("oracle: 3 DMA pages checked, 1 stale-translation violations", text, StringComparison.Ordinal);
        Assert.Contains("VIOLATION (stale) step #4: nic sid 0x20 read iova 0x10000 -> pa 0x80000000 via SMMU", text, StringComparison.Ordinal);
        Assert.Contains("killed by #3 (unmap dom 0x10000+0x2000); no commands consumed since", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dropped_ATC_invalidation_lets_the_DMA_after_unmap_use_the_stale_ATC_entry()
    {
        var (report, oracle) = Run(OracleScenarios.Ats, new TlbOnlyInvalidation());

        Assert.True(report.Steps[4].Dma!.Ok, "the ATC still holds the translation");
        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, true, 3), (v.Kind, v.FromAtc, v.KilledBy!.Value.Step));

        // The unmap's commands are listed: the TLB was invalidated, the ATC never was.
        Assert.Equal(["TLBI_NH_ASID", "SYNC"], v.Commands.Select(c => c.Op));
        Assert.All(v.Commands, c => Assert.Equal(3, c.Step));
        Assert.Contains("via ATC", report.Format(), StringComparison.Ordinal);
        Assert.Contains("#3 TLBI_NH_ASID asid=0x", report.Format(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("legacy", false)]
    [InlineData("linux", false)]
    [InlineData("legacy", true)]
    [InlineData("linux", true)]
    public void Real_designs_make_the_DMA_after_unmap_fault(string design, bool ats)
    {
        var (report, oracle) = Run(ats ? OracleScenarios.Ats : OracleScenarios.Plain, InvalidationDesigns.Create(design));

        Assert.True(report.Succeeded, report.Format());
        Assert.False(report.Steps[4].Dma!.Ok);
        Assert.Equal(2, oracle.PagesChecked);
        Assert.Empty(oracle.Violations);
        Assert.Contains("oracle: 2 DMA pages checked, 0 stale-translation violations", report.Format(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("legacy")]
    [InlineData("linux")]
    public void Detach_then_DMA_is_aborted_and_no_violation(string design)
    {
        var (report, oracle) = Run(OracleScenarios.DetachThenDma, InvalidationDesigns.Create(design));

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(1, oracle.PagesChecked);
        Assert.Equal(0, oracle.ViolationCount);
    }

    [Fact]
    public void Identity_domain_accesses_land_at_their_IOVA_and_are_fine()
    {
        var (report, oracle) = Run(OracleScenarios.Identity, new LegacyInvalidation());

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(3, oracle.PagesChecked);
    }

    [Theory]
    [InlineData("legacy")]
    [InlineData("linux")]
    public void SVA_PASID_scenario_has_no_violation(string design)
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", "sva-pasid.toml"));
        var (report, oracle) = Run(scenario, InvalidationDesigns.Create(design));

        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(16, oracle.PagesChecked); // the 64 KiB read through PASID 5; the read after munmap faults
        Assert.Equal(0, oracle.ViolationCount);
    }

    [Theory]
    [InlineData("legacy", ConsumptionMode.Inline)]
    [InlineData("linux", ConsumptionMode.Inline)]
    [InlineData("legacy", ConsumptionMode.FreeRunning)]
    [InlineData("linux", ConsumptionMode.FreeRunning)]
    public void Every_example_scenario_and_the_default_have_no_violation(string design, ConsumptionMode mode)
    {
        var files = Directory.GetFiles(Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios"), "*.toml");
        foreach (var scenario in files.Select(ScenarioParser.ParseFile).Append(ScenarioParser.LoadDefault()))
        {
            var (report, oracle) = Run(scenario with { Invalidation = design }, InvalidationDesigns.Create(design), mode);
            Assert.True(oracle.ViolationCount == 0, report.Format());
            var moved = report.Steps.Sum(s => (long)(s.Dma?.Bytes ?? 0));
            Assert.True(moved == 0 || oracle.PagesChecked > 0, $"{scenario.Path}: no DMA was checked"); // legacy refuses multi-smmu-shared
        }
    }

    [Fact]
    public void Violations_are_traced_as_violation_objects()
    {
        var scenario = ScenarioParser.Parse(OracleScenarios.Ats, "ats.toml");
        using var stream = new MemoryStream();
        using (var trace = new TraceWriter(stream, leaveOpen: true))
        using (var oracle = new StaleTranslationOracle())
        using (var machine = new DriverScenarioMachine(new TlbOnlyInvalidation()))
        {
            new ScenarioRunner(machine, new ScenarioRunOptions { Trace = trace, Oracle = oracle }).Run(scenario);
        }

        var records = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var v = Assert.Single(records, r => r.GetProperty("kind").GetString() == "violation");
        Assert.Equal(4, v.GetProperty("step").GetInt32());
        Assert.Equal("stale", v.GetProperty("violation").GetString());
        Assert.Equal("0x10000", v.GetProperty("iova").GetString());
        Assert.Equal("0x80000000", v.GetProperty("pa").GetString());
        Assert.True(v.GetProperty("from_atc").GetBoolean());
        Assert.Equal(3, v.GetProperty("killed_step").GetInt32());
        Assert.Equal(["TLBI_NH_ASID", "SYNC"], v.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("op").GetString()));

        // The violation comes before the step record of the DMA that caused it.
        var index = records.FindIndex(r => r.GetProperty("kind").GetString() == "violation");
        Assert.Equal("dma", records[index + 1].GetProperty("kind").GetString());
    }

    private static (ScenarioReport Report, StaleTranslationOracle Oracle) Run(string text, IInvalidationDesign design) =>
        Run(ScenarioParser.Parse(text, "oracle.toml"), design);

    private static (ScenarioReport Report, StaleTranslationOracle Oracle) Run(Scenario scenario, IInvalidationDesign design,
        ConsumptionMode mode = ConsumptionMode.Inline)
    {
        var oracle = new StaleTranslationOracle();
        using var machine = new DriverScenarioMachine(design);
        var options = new ScenarioRunOptions { Oracle = oracle, Mode = mode == ConsumptionMode.FreeRunning ? mode : null };
        var report = new ScenarioRunner(machine, options).Run(scenario);
        oracle.Dispose();
        return (report, oracle);
    }
}
