using SmmuLab.TestSupport.Scenarios;


namespace SmmuLab.Scenarios.Tests;

/// <summary>Inputs that must end in a clear message naming the file and line, never in an exception or without end.</summary>
public class HostileInputTests
{
    [Fact]
    public void A_device_that_never_ends_is_refused_at_its_first_character()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.ParseFile("/dev/zero"));
        Assert.Equal(("/dev/zero", 1, "file"), (e.File, e.Line, e.Key));
        Assert.Contains("not a text file: control character U+0000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_UTF_8_are_refused_with_their_line()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [.. System.Text.Encoding.UTF8.GetBytes("[[smmu]]\nname = \"a\"\n"), 0xFF, 0xFE, (byte)'\n']);
            var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.ParseFile(path));
            Assert.Equal(3, e.Line);
            Assert.Contains("not UTF-8", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TOML_nested_too_deep_is_refused_with_its_line_not_thrown()
    {
        var deep = "a = " + new string('[', 10_000) + new string(']', 10_000) + "\n";
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("# machine\n" + deep, "deep.toml"));
        Assert.Equal(("deep.toml", 2, "value"), (e.File, e.Line, e.Key));
        Assert.Contains("nested more than 64 arrays or inline tables deep", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_nested_too_deep_is_refused_with_the_line_in_the_file()
    {
        var text = new ScenarioBuilder().Smmu("smmu0", "s1").Device("nic", [0x20]).Dma("nic", 0, 0x1000, "read").ToToml();
        text += "\n[[step]]\nop = \"dma\"\nx = " + new string('[', 100) + new string(']', 100) + "\n";
        var stepLine = text.Split('\n').Length - 1;
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, "deep-step.toml").Steps.ToList());
        Assert.Equal(stepLine, e.Line);
        Assert.Contains("nested more than 64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_DMA_larger_than_RAM_is_refused_when_the_file_is_read()
    {
        var text = new ScenarioBuilder().Smmu("smmu0", "s1").Device("nic", [0x20]).Dma("nic", 0, 0x4_0000_0000, "read").ToToml();
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, "big.toml"));
        Assert.Equal((11, "step[0].size"), (e.Line, e.Key));
        Assert.Contains("more than the machine's RAM", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_2_GiB_DMA_runs_in_chunks_and_stops_at_the_first_fault()
    {
        var text = new ScenarioBuilder()
            .Smmu("smmu0", "s1")
            .Device("nic", [0x20])
            .Domain("dom", "s1")
            .Attach("nic", "dom")
            .Map("dom", 0x10000000, 0x80000000, 0x200000)
            .Dma("nic", 0x10000000, 0x80000000, "read", expect: "fault")
            .ToToml();
        var s = ScenarioParser.Parse(text, "dma.toml");
        using var machine = new DriverScenarioMachine(s);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var report = new ScenarioRunner(machine).Run(s);

        Assert.True(report.Succeeded, string.Join("\n", report.Steps.Select(r => r.Format())));
        Assert.Equal(0x200000UL, report.Steps[2].Dma!.Bytes);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, "the DMA buffer is chunked");
    }
}
