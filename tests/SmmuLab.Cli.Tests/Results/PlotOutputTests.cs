using SmmuLab.Cli.Commands;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Cli.Tests.Results;

/// <summary><c>--plot FILE.png</c> on compare and bench: a PNG written through the output file, refused where it cannot go.</summary>
public class PlotOutputTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static string Scenario(string name) => Path.Combine(AppContext.BaseDirectory, "scenarios", name);

    [Fact]
    public void Compare_writes_a_png_beside_its_text_and_leaves_no_temporary_file()
    {
        using var dir = new TempDirectory("smmulab-plot");
        var png = dir.PathOf("compare.png");

        var (code, text, _) = CliRun.Smmulab("compare", Scenario("basic-s1.toml"), "--plot", png);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("| operation | legacy cmds |", text, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.True(bytes.Length > 20_000);
        Assert.Equal(["compare.png"], Directory.GetFiles(dir.FullName).Select(Path.GetFileName));
    }

    [Fact]
    public void Bench_writes_its_latency_histograms_as_a_png()
    {
        using var dir = new TempDirectory("smmulab-plot");
        var png = dir.PathOf("bench.png");
        var options = new DmaMapBenchmarkOptions { Threads = 1, Duration = TimeSpan.FromSeconds(30), MaxLoopsPerThread = 300 };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = BenchCommand.Run(new BenchRequest(options, ["legacy", "linux"], PlotPath: png), output, error);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(PngSignature, File.ReadAllBytes(png)[..8]);
        Assert.Equal(2, output.ToString().Split("dma mapping benchmark:").Length - 1);
    }

    [Fact]
    public void A_plot_cannot_go_to_standard_output()
    {
        CliRun.AssertUsageError(CliRun.Smmulab("compare", "--plot", "-"), "the plot cannot go to standard output");
    }

    [Fact]
    public void A_plot_over_the_benchmarks_machine_file_is_refused_before_the_benchmark()
    {
        using var dir = new TempDirectory("smmulab-plot");
        var machine = dir.Write("m.toml", File.ReadAllText(Scenario("basic-s1.toml")));

        var (code, output, error) = CliRun.Smmulab("bench", "--seconds", "1", "--machine", machine, "--plot", machine);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(output);
        Assert.Contains("the plot would replace an input of this run", error, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Scenario("basic-s1.toml")), File.ReadAllText(machine));
    }

    [Fact]
    public void A_plot_in_a_missing_directory_is_a_one_line_message()
    {
        using var dir = new TempDirectory("smmulab-plot");

        CliRun.AssertUsageError(CliRun.Smmulab("compare", "--plot", dir.PathOf("no/such/dir/c.png")), "cannot write the plot");
    }
}
