namespace SmmuLab.Scenarios.Tests.Nested;

/// <summary>The keys of a nested domain: kind, parent, the guest's ASID.</summary>
public class NestedScenarioParserTests
{
    private const string Machine = """
        [[smmu]]
        name = "smmu0"
        features = ["s1", "s2", "nesting"]
        [[smmu]]
        name = "smmu1"
        features = ["s1", "s2", "nesting"]
        [[domain]]
        name = "vm"
        kind = "nest-parent"
        smmu = "smmu1"
        [[domain]]
        name = "host"
        kind = "s1"
        """;

    [Fact]
    public void A_nested_domain_names_its_parent_and_guest_ASID_and_gets_the_parents_SMMU()
    {
        var s = ScenarioParser.Parse(Machine + "\n[[domain]]\nname = \"guest\"\nkind = \"nested\"\nparent = \"vm\"\nasid = 5\n", "n.toml");

        var guest = s.Domains[2];
        Assert.Equal(("guest", "nested", (ushort?)5, "vm", "smmu1"), (guest.Name, guest.Kind, guest.Asid, guest.Parent, guest.Smmu));
        Assert.Null(s.Domains[0].Parent);
    }

    [Theory]
    [InlineData("kind = \"nested\"\nasid = 5\n", 14, "domain[2].parent", "required key is missing")]
    [InlineData("kind = \"nested\"\nparent = \"vm\"\n", 14, "domain[2].asid", "required key is missing")]
    [InlineData("kind = \"nested\"\nparent = \"host\"\nasid = 5\n", 17, "domain[2].parent", "'host' is a s1 domain; a nested domain's parent must be a nest-parent domain")]
    [InlineData("kind = \"nested\"\nparent = \"vm2\"\nasid = 5\n", 17, "domain[2].parent", "'vm2' is not defined (defined: vm)")]
    [InlineData("kind = \"nested\"\nparent = \"vm\"\nasid = 5\nvmid = 3\n", 19, "domain[2].vmid", "a nested domain has no VMID")]
    [InlineData("kind = \"nested\"\nparent = \"vm\"\nasid = 5\nsmmu = \"smmu0\"\n", 19, "domain[2].smmu", "'smmu0' is not the SMMU of parent 'vm' (smmu1)")]
    [InlineData("kind = \"s1\"\nparent = \"vm\"\n", 17, "domain[2].parent", "a s1 domain has no parent (only nested domains do)")]
    public void Malformed_nested_domains_name_the_line_and_key(string keys, int line, string key, string problem)
    {
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(Machine + "\n[[domain]]\nname = \"guest\"\n" + keys, "n.toml"));

        Assert.Equal((line, key), (e.Line, e.Key));
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_parent_must_come_first_and_sit_on_a_known_SMMU()
    {
        var later = Machine + "\n[[domain]]\nname = \"guest\"\nkind = \"nested\"\nparent = \"vm3\"\nasid = 1\n[[domain]]\nname = \"vm3\"\nkind = \"nest-parent\"\n";
        var e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(later, "n.toml"));
        Assert.Equal(("domain[2].parent", "'vm3' must be defined before the nested domains on it"), (e.Key, e.Problem));

        var unplaced = Machine + "\n[[domain]]\nname = \"vm3\"\nkind = \"nest-parent\"\n[[domain]]\nname = \"guest\"\nkind = \"nested\"\nparent = \"vm3\"\nasid = 1\n";
        e = Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse(unplaced, "n.toml"));
        Assert.Equal("domain[3].parent", e.Key);
        Assert.Contains("'vm3' needs an 'smmu' key", e.Problem, StringComparison.Ordinal);
    }
}
