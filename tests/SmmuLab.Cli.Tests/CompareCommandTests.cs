namespace SmmuLab.Cli.Tests;

public class CompareCommandTests
{
    [Fact]
    public void Compare_refuses_a_malformed_scenario_with_file_and_line()
    {
        var path = Path.Combine(Path.GetTempPath(), $"smmulab-compare-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, "invalidation = \"legacy\"\n[[smmu]]\nname = \"smmu0\"\nfeaturez = []\n");
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = SmmulabApp.Run(["compare", path], output, error);
            Assert.Equal(2, code);
            Assert.Contains($"{path}:4:", error.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
