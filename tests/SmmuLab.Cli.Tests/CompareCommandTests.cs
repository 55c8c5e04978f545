namespace SmmuLab.Cli.Tests;

public class CompareCommandTests
{
    [Fact]
    public void Compare_refuses_a_malformed_scenario_with_file_and_line()
    {
        using var dir = new TempDirectory("smmulab-compare-");
        var path = dir.Write("bad.toml", "invalidation = \"legacy\"\n[[smmu]]\nname = \"smmu0\"\nfeaturez = []\n");
        var (code, _, error) = CliRun.Smmulab("compare", path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}:4:", error);
    }
}
