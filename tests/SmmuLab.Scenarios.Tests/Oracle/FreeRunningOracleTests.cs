using System.Text;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Reporting;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios.Tests.Oracle;

/// <summary>
/// The shipped machines (their SMMUs, devices, domains and attachments) with several DMA threads
/// per device and SMMUs consuming commands on their own threads (free-running mode), judged by the
/// stale-translation oracle: every page every thread moves is checked, and none may go through a
/// translation an unmap already invalidated.
/// </summary>
public sealed class FreeRunningOracleTests
{
    private const int BuffersPerDevice = 900;
    private const int Threads = 3;

    public static TheoryData<string> Machines => ["basic-s1.toml", "cmdqv.toml", "multi-device.toml", "multi-smmu-shared.toml", "s2-and-ats.toml"];

    [Theory]
    [MemberData(nameof(Machines))]
    public void Several_DMA_threads_on_free_running_SMMUs_leave_the_oracle_clean(string file)
    {
        var path = Path.Combine(ScenarioParserTests.RepositoryRoot(), "scenarios", file);
        var (toml, devices) = WithWorkloads(File.ReadAllText(path), path);
        Assert.NotEmpty(devices);

        var scenario = ScenarioParser.Parse(toml, path);
        using var machine = new DriverScenarioMachine(scenario);
        using var oracle = new StaleTranslationOracle();
        var report = new ScenarioRunner(machine, new ScenarioRunOptions { Mode = ConsumptionMode.FreeRunning, Oracle = oracle }).Run(scenario);

        Assert.True(report.Succeeded, report.Format());
        var workloads = report.Steps.Where(s => s.Workload is not null).Select(s => s.Workload!).ToList();
        Assert.Equal(devices.Count, workloads.Count);
        Assert.All(workloads, w => Assert.Equal((BuffersPerDevice, 0L, 0L), (w.Buffers, w.DmaFaults, w.MapFailures)));
        Assert.Equal(0, oracle.ViolationCount);

        // At least one page per buffer was judged (4 KiB buffers are one page, 16 KiB ones four).
        Assert.True(oracle.PagesChecked >= devices.Count * BuffersPerDevice, $"only {oracle.PagesChecked} pages judged");
    }

    /// <summary>
    /// The scenario's machine and its RID attachments to paging domains (first attachment of each
    /// device), then one three-thread map/DMA/unmap workload per attached device.
    /// </summary>
    private static (string Toml, List<string> Devices) WithWorkloads(string text, string path)
    {
        var original = ScenarioParser.Parse(text, path);
        var toml = new StringBuilder(text[..text.IndexOf("[[step]]", StringComparison.Ordinal)]);
        var devices = new List<string>();
        foreach (var attach in original.Steps.OfType<AttachStep>())
        {
            var kind = original.Domains.First(d => d.Name == attach.Domain).Kind;
            if (attach.Pasid is not null || kind is not ("s1" or "s2") || devices.Contains(attach.Device))
            {
                continue;
            }

            devices.Add(attach.Device);
            toml.Append($"\n[[step]]\nop = \"attach\"\ndevice = \"{attach.Device}\"\ndomain = \"{attach.Domain}\"\n");
        }

        foreach (var device in devices)
        {
            toml.Append($"\n[[step]]\nop = \"workload\"\ndevice = \"{device}\"\ncount = {BuffersPerDevice}\nthreads = {Threads}\n" +
                "size = [\"4KiB\", \"16KiB\"]\nweights = [3, 1]\n");
        }

        return (toml.ToString(), devices);
    }
}
