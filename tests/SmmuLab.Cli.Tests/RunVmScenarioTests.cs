namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab run scenarios/vm-vsmmu.toml</c>: a VM with a vSMMU, green with the oracle.</summary>
public sealed class RunVmScenarioTests
{
    [Fact]
    public void The_example_VM_with_a_vSMMU_runs_green_with_the_oracle()
    {
        var path = Path.Combine(RepositoryRoot(), "scenarios", "vm-vsmmu.toml");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = SmmulabApp.Run(["run", path], output, error, SmmulabApp.DefaultMachineFactory);

        var text = output.ToString();
        Assert.True(code == 0, text + error);
        Assert.Empty(error.ToString());
        Assert.Contains("11 steps: 11 passed, 0 failed", text, StringComparison.Ordinal);
        Assert.Contains("oracle: 7 DMA pages checked, 0 stale-translation violations", text, StringComparison.Ordinal);
        Assert.Contains("map guest 0x10000+0x4000 -> 0x40008000 rw", text, StringComparison.Ordinal);
        Assert.Contains("smmu0 vSMMU vm (VMID 9): 3 guest invalidation calls, 3 commands forwarded to the CMDQ", text, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SmmuLab.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
