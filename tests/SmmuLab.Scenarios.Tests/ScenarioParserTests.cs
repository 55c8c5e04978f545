using SmmuLab.Driver.Invalidation;

namespace SmmuLab.Scenarios.Tests;

public class ScenarioParserTests
{
    [Fact]
    public void Example_parses_verbatim()
    {
        var s = ScenarioParser.Parse(ScenarioText.Example, "example.toml");

        Assert.Equal("example.toml", s.Path);
        Assert.Equal("legacy", s.Invalidation);
        var smmu = Assert.Single(s.Smmus);
        Assert.Equal(("smmu0", "generic", 2), (smmu.Name, smmu.Product, smmu.Line));
        Assert.Equal(["s1", "s2", "nesting", "ril", "ats", "msi"], smmu.Features);
        var nic = Assert.Single(s.Devices);
        Assert.Equal(("nic", "smmu0", true, 6), (nic.Name, nic.Smmu, nic.Ats, nic.Line));
        Assert.Equal([0x20u, 0x21u], nic.Sids);
        Assert.Equal(new DomainSpec("dom", "s1", 5, null, null, 11), Assert.Single(s.Domains));
        Assert.Collection(s.Steps,
            a => Assert.Equal(new AttachStep(0, 15, StepExpectation.Ok, "nic", "dom", null), a),
            m => Assert.Equal(new MapStep(1, 19, StepExpectation.Ok, "dom", 0x10000, 0x8000_0000, 0x23000, true), m),
            u => Assert.Equal(new UnmapStep(2, 25, StepExpectation.Ok, "dom", 0x10000, 0x23000), u),
            d => Assert.Equal(new DmaStep(3, 30, StepExpectation.Any, "nic", 0x10000, 0x1000, false, null), d));
    }

    [Fact]
    public void Defaults_apply_when_keys_are_left_out()
    {
        var s = ScenarioParser.Parse(ScenarioText.Machine, "m.toml");

        Assert.Equal(InvalidationDesigns.Linux, s.Invalidation);
        Assert.Null(s.Description);
        Assert.Equal("generic", s.Smmus[0].Product);
        Assert.Null(s.Smmus[0].Mode);
        Assert.Equal("smmu0", s.Devices[0].Smmu); // the only SMMU
        Assert.False(s.Devices[0].Ats);
        Assert.Empty(s.Steps);
    }

    [Fact]
    public void Optional_keys_are_read()
    {
        var s = ScenarioParser.Parse("""
            invalidation = "linux"
            description = "all the optional keys"
            [[smmu]]
            name = "a"
            features = ["s1", "no-2lvl-strtab", "gran64k"]
            product = "mmu-700 r1p1"
            oas = 44
            sid-bits = 6
            ssid-bits = 8
            tlb-entries = 64
            mode = "free-running"
            reserved-fields = "ignore"
            wired-interrupts = true
            [[smmu]]
            name = "b"
            features = ["s2"]
            [[device]]
            name = "d"
            smmu = "b"
            sids = [0xffff]
            [[domain]]
            name = "x"
            kind = "sva"
            smmu = "a"
            asid = 0xffff
            [[step]]
            op = "map"
            domain = "x"
            iova = 0
            pa = 0x80001000
            size = 0x1000
            prot = "r"
            [[step]]
            op = "dma"
            device = "d"
            iova = 0x123
            size = 1
            access = "write"
            pasid = 0xff
            expect = "fault"
            [[step]]
            op = "detach"
            device = "d"
            pasid = 1
            [[step]]
            op = "flush"
            domain = "x"
            expect = "error"
            """, "opt.toml");

        Assert.Equal("linux", s.Invalidation);
        Assert.Equal("all the optional keys", s.Description);
        var a = s.Smmu("a");
        Assert.Equal((44, 6, 8, 64, "free-running", "mmu-700 r1p1"),
            (a.OutputAddressBits, a.StreamIdBits, a.SubstreamIdBits, a.TlbEntries, a.Mode, a.Product));
        Assert.Equal(("ignore", (bool?)true), (a.ReservedFields, a.WiredInterrupts));
        Assert.Equal((null, (bool?)null), (s.Smmu("b").ReservedFields, s.Smmu("b").WiredInterrupts));
        Assert.Equal(new DomainSpec("x", "sva", 0xffff, null, "a", 21), s.Domains[0]);
        Assert.False(((MapStep)s.Steps[0]).Writable);
        Assert.Equal(new DmaStep(1, 33, StepExpectation.Fault, "d", 0x123, 1, true, 0xff), s.Steps[1]);
        Assert.Equal(new DetachStep(2, 41, StepExpectation.Ok, "d", null, 1), s.Steps[2]);
        Assert.Equal(StepExpectation.Error, s.Steps[3].Expect);
    }

    [Fact]
    public void Embedded_default_parses()
    {
        var s = ScenarioParser.LoadDefault();

        Assert.Equal(ScenarioParser.DefaultScenarioPath, s.Path);
        Assert.Equal(["nic", "gpu"], s.Devices.Select(d => d.Name));
        Assert.Contains(s.Domains, d => d is { Kind: "s1", Asid: 5 });
        Assert.Contains(s.Domains, d => d is { Kind: "s2", Vmid: 3 });
        Assert.True(s.Devices[0].Ats);
        Assert.Equal(2, s.Steps.Count(st => st.Expect == StepExpectation.Fault));
    }

    [Fact]
    public void Every_file_in_scenarios_directory_parses()
    {
        var dir = Path.Combine(RepositoryRoot(), "scenarios");
        var files = Directory.GetFiles(dir, "*.toml");
        Assert.True(files.Length >= 4, $"expected the example scenarios in {dir}");
        foreach (var file in files)
        {
            var s = ScenarioParser.ParseFile(file);
            Assert.NotEmpty(s.Steps);
        }
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SmmuLab.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
