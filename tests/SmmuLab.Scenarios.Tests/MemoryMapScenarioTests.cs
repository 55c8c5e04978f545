using SmmuLab.Machines;
using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Scenarios.Tests;

/// <summary>
/// The [machine] table and the check of every map step's physical address against it: a buffer
/// must lie in RAM and outside the simulated kernel's own memory (its tables and queues).
/// </summary>
public class MemoryMapScenarioTests
{
    /// <summary>attach (#0, line 10), map of 8 KiB at <paramref name="pa"/> (#1, its pa on line 18), a DMA of it (#2).</summary>
    private static string Scenario(ulong pa, string machine = "") => new ScenarioBuilder()
        .Smmu("smmu0", "s1")
        .Device("nic", [0x20])
        .Domain("dom", "s1")
        .Attach("nic", "dom")
        .Map("dom", 0x10000, pa, 0x2000)
        .Dma("nic", 0x10000, 0x2000, "write", expect: "ok")
        .Raw(machine)
        .ToToml();

    [Fact]
    public void A_pa_over_the_kernels_tables_is_refused_and_the_message_says_where_RAM_and_the_kernel_are()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(Scenario(0x40000000), "m.toml"));

        Assert.Equal((18, "step[1].pa"), (e.Line, e.Key));
        Assert.Contains("0x40000000+0x2000 overlaps the simulated kernel's memory [0x40000000, 0x80000000)", e.Message, StringComparison.Ordinal);
        Assert.Contains("RAM [0x40000000, 0x400000000)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(0x3ffff000UL)]
    [InlineData(0x3fffff000UL)]
    public void A_pa_outside_RAM_is_refused(ulong pa)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(Scenario(pa), "m.toml"));
        Assert.Contains("lies outside RAM [0x40000000, 0x400000000)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_map_is_RAM_from_1_GiB_to_16_GiB_with_the_kernel_in_its_first_GiB()
    {
        var s = ScenarioParser.Parse(Scenario(0x80000000), "m.toml");
        Assert.Equal(new MemoryMap(0x4000_0000, 0x4_0000_0000, 0x4000_0000, 0x8000_0000), s.Memory);
    }

    [Fact]
    public void A_machine_table_moves_RAM_and_the_kernel_and_the_run_uses_them()
    {
        var machine = "[machine]\nram-base = \"64GiB\"\nram = \"2GiB\"\nkernel-base = \"65GiB\"\nkernel-memory = \"64MiB\"";
        var s = ScenarioParser.Parse(Scenario(0x1000000000, machine), "m.toml");
        Assert.Equal(new MemoryMap(64UL << 30, 66UL << 30, 65UL << 30, (65UL << 30) + (64UL << 20)), s.Memory);

        using var m = new DriverScenarioMachine(s);
        var report = new ScenarioRunner(m).Run(s);
        Assert.True(report.Succeeded, string.Join("\n", report.Steps.Select(r => r.Format())));
        Assert.Equal(s.Memory, m.Machine.Map);

        // The stream table and queues were allocated in the kernel's region.
        var smmu = m.Machine.Smmu("smmu0").Device;
        var strtab = Architecture.Registers.StrtabBase.ADDR.GetAddress(smmu.Read64(Architecture.Registers.SmmuRegister.STRTAB_BASE));
        Assert.InRange(strtab, 65UL << 30, (65UL << 30) + (64UL << 20) - 1);
    }

    [Theory]
    [InlineData("[machine]\nram = \"1MiB\"", "machine.ram", "must lie inside RAM")]
    [InlineData("[machine]\nkernel-base = 0", "machine.kernel-base", "must lie inside RAM")]
    [InlineData("[machine]\nkernel-memory = \"4MiB\"", "machine.kernel-memory", "at least 16 MiB")]
    [InlineData("[machine]\nram-base = 0x1001", "machine.ram-base", "4 KiB boundaries")]
    [InlineData("[machine]\nrom = \"1GiB\"", "machine.rom", "unknown key")]
    public void A_bad_machine_table_is_refused(string machine, string key, string reason)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(Scenario(0x80000000, machine), "m.toml"));
        Assert.Equal(key, e.Key);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
