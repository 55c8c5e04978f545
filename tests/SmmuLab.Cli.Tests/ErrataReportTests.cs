namespace SmmuLab.Cli.Tests;

/// <summary>The errata workarounds the driver applied appear in the run report, by erratum number.</summary>
public sealed class ErrataReportTests
{
    [Fact]
    public void An_MMU_700_run_lists_the_workarounds_the_driver_applied()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "scenarios", "nested.toml"); // product = "mmu-700 r1p1"

        var (code, output, _) = CliRun.Smmulab("run", path);

        Assert.Equal(0, code);
        Assert.Contains("smmu0 errata workarounds applied by the driver: MMU-700 errata 2133013/2268618/2812531/3777127: BTM disabled", output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_generic_SMMU_lists_no_workarounds()
    {
        var (_, output, _) = CliRun.Smmulab("run");

        Assert.DoesNotContain("errata workarounds", output, StringComparison.Ordinal);
    }
}
