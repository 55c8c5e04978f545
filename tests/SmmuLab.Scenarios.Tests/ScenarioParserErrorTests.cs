
namespace SmmuLab.Scenarios.Tests;

/// <summary>Every class of malformed input names the file, the line and the key.</summary>
public class ScenarioParserErrorTests
{
    /// <summary>Steps appended to <see cref="ScenarioText.Machine"/> start on line 14.</summary>
    [Theory]
    // Step-level problems.
    [InlineData("[[step]]\nop = \"teleport\"\n", 15, "step[0].op", "unknown step op 'teleport'")]
    [InlineData("[[step]]\ndevice = \"nic\"\n", 14, "step[0].op", "required key is missing")]
    [InlineData("[[step]]\nop = \"attach\"\ndevice = \"gpu\"\ndomain = \"dom\"\n", 16, "step[0].device", "'gpu' is not defined (defined: nic)")]
    [InlineData("[[step]]\nop = \"flush\"\ndomain = \"nope\"\n", 16, "step[0].domain", "'nope' is not defined (defined: dom, dom2)")]
    [InlineData("[[step]]\nop = \"map\"\ndomain = \"dom\"\niova = 0x10800\npa = 0x80000000\nsize = 0x1000\n", 17, "step[0].iova", "0x10800 is not 4 KiB aligned")]
    [InlineData("[[step]]\nop = \"map\"\ndomain = \"dom\"\niova = 0x10000\npa = 0x80000000\nsize = 0\n", 19, "step[0].size", "must not be zero")]
    [InlineData("[[step]]\nop = \"unmap\"\ndomain = \"dom\"\niova = 0x10000\n", 14, "step[0].size", "required key is missing")]
    [InlineData("[[step]]\nop = \"unmap\"\ndomain = \"dom\"\niova = 0x10000\nsize = 0x1000\npa = 0\n", 19, "step[0].pa", "unknown key")]
    [InlineData("[[step]]\nop = \"map\"\ndomain = \"dom\"\niova = \"0x10000\"\npa = 0\nsize = 0x1000\n", 17, "step[0].iova", "expected an integer, found a string")]
    [InlineData("[[step]]\nop = \"dma\"\ndevice = \"nic\"\niova = 0\nsize = 4\naccess = \"execute\"\n", 19, "step[0].access", "unknown access 'execute'")]
    [InlineData("[[step]]\nop = \"dma\"\ndevice = \"nic\"\niova = 0\nsize = 4\naccess = \"read\"\nexpect = \"maybe\"\n", 20, "step[0].expect", "unknown expectation for dma 'maybe'")]
    [InlineData("[[step]]\nop = \"dma\"\ndevice = \"nic\"\niova = 0\nsize = 4\naccess = \"read\"\npasid = 0x100000\n", 20, "step[0].pasid", "out of range (0..0xfffff)")]
    [InlineData("[[step]]\nop = \"attach\"\ndevice = \"nic\"\ndomain = \"dom\"\npasid = 0\n", 18, "step[0].pasid", "PASID 0 is the RID")]
    [InlineData("[[step]]\nop = \"map\"\ndomain = \"dom\"\niova = 0\npa = 0\nsize = 0x1000\nwritable = \"yes\"\n", 20, "step[0].writable", "expected a boolean")]
    [InlineData("[[step]]\nop = \"map\"\ndomain = \"dom\"\niova = 0\npa = 0\nsize = 0x1000\nprot = \"r\"\nwritable = true\n", 21, "step[0].writable", "contradicts prot")]
    [InlineData("[[step]]\nop = \"flush\"\ndomain = \"dom\"\nexpect = \"fault\"\n", 17, "step[0].expect", "unknown expectation for flush 'fault'")]
    [InlineData("[[step]]\nop = \"flush\"\ndomain = \"dom\"\n[[step]]\nop = \"flush\"\ndomian = \"dom\"\n", 19, "step[1].domian", "did you mean 'domain'?")]
    // Machine-level problems.
    [InlineData("[[device]]\nname = \"nic\"\nsids = [0x21]\n", 14, "device[1].name", "duplicate device name 'nic' (first defined on line 4)")]
    [InlineData("[[device]]\nname = \"nic2\"\nsids = [0x20]\n", 16, "device[1].sids", "StreamID 0x20 on smmu0 already belongs to device 'nic'")]
    [InlineData("[[device]]\nname = \"big\"\nsids = [0x1_0000]\n", 16, "device[1].sids", "does not fit smmu0's 16 StreamID bits")]
    [InlineData("[[device]]\nname = \"big\"\nsids = [0x1_0000_0000]\n", 16, "device[1].sids", "out of range (0..0xffffffff)")]
    [InlineData("[[device]]\nname = \"n2\"\nsid = [0x22]\n", 16, "device[1].sid", "did you mean 'sids'?")]
    [InlineData("[[device]]\nname = \"n2\"\nsmmu = \"smmu1\"\nsids = [1]\n", 16, "device[1].smmu", "'smmu1' is not defined (defined: smmu0)")]
    [InlineData("[[domain]]\nname = \"d3\"\nkind = \"s3\"\n", 16, "domain[2].kind", "unknown domain kind 's3'")]
    [InlineData("[[domain]]\nname = \"d3\"\nkind = \"s1\"\nasid = 65536\n", 17, "domain[2].asid", "out of range (0..0xffff)")]
    [InlineData("[[domain]]\nname = \"d3\"\nkind = \"s2\"\nasid = 1\n", 17, "domain[2].asid", "a s2 domain has no ASID")]
    [InlineData("[[domain]]\nname = \"d3\"\nkind = \"s1\"\nvmid = -1\n", 17, "domain[2].vmid", "-1 is out of range")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\", \"warp\"]\n", 16, "smmu[1].features", "unknown feature 'warp'")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"ats\"]\n", 16, "smmu[1].features", "needs 's1', 's2' or both")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\", \"nesting\"]\n", 16, "smmu[1].features", "'nesting' needs both 's1' and 's2'")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\"]\nproduct = \"mmu-500\"\n", 17, "smmu[1].product", "unknown product 'mmu-500'")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\"]\nproduct = \"mmu-600 r0\"\n", 17, "smmu[1].product", "is not of the form rNpM")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\"]\noas = 46\n", 17, "smmu[1].oas", "46 is not an output address size")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\"]\nmode = \"lazy\"\n", 17, "smmu[1].mode", "unknown mode 'lazy'")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\", \"no-2lvl-strtab\"]\nsid-bits = 8\n", 17, "smmu[1].sid-bits", "need a 2-level stream table")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\"]\nwired-interrupts = false\n", 17, "smmu[1].wired-interrupts", "needs the 'msi' feature")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\"]\nreserved-fields = \"lenient\"\n", 17, "smmu[1].reserved-fields", "unknown reserved-fields policy 'lenient' (expected one of: error, ignore)")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = []\n", 16, "smmu[1].features", "must not be empty")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\n", 14, "smmu[1].features", "required key is missing")]
    [InlineData("[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s1\"]\ntlb-entries = 6\n", 17, "smmu[1].tlb-entries", "not a positive multiple of 4")]
    [InlineData("[[device]]\nname = \"n2\"\nsmmu = \"smmu0\"\nsids = [1]\nats = 1\n", 18, "device[1].ats", "expected a boolean, found an integer")]
    [InlineData("[[devices]]\nname = \"n2\"\n", 14, "devices", "unknown table")]
    [InlineData("[options]\nx = 1\n", 14, "options", "unknown table")]
    public void Malformed_input_names_file_line_and_key(string appended, int line, string key, string problem)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(ScenarioText.Machine + "\n" + appended, "bad.toml"));

        Assert.Equal("bad.toml", e.File);
        Assert.Equal((line, key), (e.Line, e.Key));
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"bad.toml:{line}: {key}: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invalidation = \"eager\"\n", 1, "invalidation", "unknown invalidation design 'eager' (expected one of: legacy, linux)")]
    [InlineData("invalidaton = \"linux\"\n", 1, "invalidaton", "did you mean 'invalidation'?")]
    [InlineData("invalidation = 1\n", 1, "invalidation", "expected a string, found an integer")]
    [InlineData("description = \"x\"\nextra.name = \"a\"\n", 2, "extra", "dotted keys are not supported")]
    public void Malformed_root_keys(string prefix, int line, string key, string problem)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(prefix + ScenarioText.Machine, "root.toml"));

        Assert.Equal((line, key), (e.Line, e.Key));
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[[smmu]]\nname = \"smmu0\"\nfeatures = [\"s1\"\n", 4)] // unclosed array
    [InlineData("[[smmu]]\nname = smmu0\n", 2)] // bare word as a value
    [InlineData("[[smmu]]\nname = \"a\"\nname = \"b\"\n", 3)] // duplicate key
    [InlineData("[[smmu]]\nname = \"a\nfeatures = []\n", 2)] // unterminated string
    public void TOML_syntax_errors_carry_their_line(string text, int line)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, "syntax.toml"));

        Assert.Equal("syntax.toml", e.File);
        Assert.Equal(line, e.Line);
        Assert.NotEmpty(e.Key);
        Assert.NotEmpty(e.Problem);
    }

    [Fact]
    public void A_scenario_needs_an_SMMU()
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("invalidation = \"linux\"\n", "empty.toml"));

        Assert.Equal("empty.toml:1: smmu: a scenario needs at least one [[smmu]] table", e.Message);
    }

    [Fact]
    public void Device_needs_SMMU_when_there_are_several()
    {
        var text = ScenarioText.Machine.Replace("[[device]]\nname = \"nic\"\nsids = [0x20]", "[[device]]\nname = \"nic\"\nsids = [0x20]\n[[smmu]]\nname = \"smmu1\"\nfeatures = [\"s2\"]")
            .Replace("\r\n", "\n");
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(text, "two.toml"));

        Assert.Equal((4, "device[0].smmu"), (e.Line, e.Key));
    }
}
