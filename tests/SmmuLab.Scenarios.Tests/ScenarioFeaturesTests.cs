using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Scenarios.Tests;

public class ScenarioFeaturesTests
{
    [Fact]
    public void Unlisted_capabilities_are_off_and_basics_on()
    {
        var f = ScenarioFeatures.ToSmmuFeatures(new SmmuSpec("s", ["s1"], "generic", 1));

        Assert.True(f.Stage1);
        Assert.False(f.Stage2 || f.RangeInvalidation || f.Ats || f.Msi || f.Sev || f.Btm || f.Hyp || f.Pri);
        Assert.True(f.CoherentAccess && f.TwoLevelStreamTable && f.TwoLevelCdTables && f.Asid16 && f.Vmid16);
        Assert.True(f.Granule4K);
        Assert.False(f.Granule16K || f.Granule64K);
        Assert.Equal((48, 16, 20), (f.OutputAddressBits, f.StreamIdBits, f.SubstreamIdBits));
        f.Validate();
    }

    [Fact]
    public void Listed_features_and_negated_basics()
    {
        var spec = new SmmuSpec("s", ["s1", "s2", "nesting", "ril", "ats", "msi", "sev", "btm", "hyp", "pri", "no-2lvl-strtab",
            "no-cd2l", "no-16bit-asid", "no-16bit-vmid", "no-coherent", "gran16k", "gran64k"], "generic", 1)
        { OutputAddressBits = 40, SubstreamIdBits = 0 };
        var f = ScenarioFeatures.ToSmmuFeatures(spec);

        Assert.True(f.Stage1 && f.Stage2 && f.Nesting && f.RangeInvalidation && f.Ats && f.Msi && f.Sev && f.Btm && f.Hyp && f.Pri);
        Assert.False(f.TwoLevelStreamTable || f.TwoLevelCdTables || f.Asid16 || f.Vmid16 || f.CoherentAccess || f.Granule4K);
        Assert.True(f.Granule16K && f.Granule64K);
        Assert.Equal((40, 6, 0), (f.OutputAddressBits, f.StreamIdBits, f.SubstreamIdBits));
        f.Validate();
    }

    [Fact]
    public void Reserved_fields_and_wired_interrupts_default_to_error_and_wired_lines()
    {
        var plain = ScenarioFeatures.ToDeviceOptions(new SmmuSpec("s", ["s1"], "generic", 1));
        var chosen = ScenarioFeatures.ToDeviceOptions(new SmmuSpec("s", ["s1", "msi"], "generic", 1)
        { ReservedFields = "ignore", WiredInterrupts = false });

        Assert.Equal((ReservedFieldPolicy.Error, true), (plain.ReservedFields, plain.Features.WiredInterrupts));
        Assert.Equal((ReservedFieldPolicy.Ignore, false), (chosen.ReservedFields, chosen.Features.WiredInterrupts));
    }

    [Fact]
    public void Device_options_carry_name_product_mode_and_TLB()
    {
        var spec = new SmmuSpec("smmu3", ["s2"], "mmu-600 r0p2", 1) { TlbEntries = 64, Mode = "free-running" };
        var o = ScenarioFeatures.ToDeviceOptions(spec);

        Assert.Equal(("smmu3", ArmProducts.MMU600, 0u, 2u, 64, ConsumptionMode.FreeRunning),
            (o.Name, o.Product.ProductId, o.Product.Variant, o.Product.Revision, o.TlbCapacity, o.Mode));
        Assert.Equal(ConsumptionMode.Inline, ScenarioFeatures.ToDeviceOptions(spec, ConsumptionMode.Inline).Mode);
    }

    [Fact]
    public void Every_known_name_parses()
    {
        var text = $"[[smmu]]\nname = \"s\"\nfeatures = [\"s1\", \"s2\", \"nesting\", \"ats\", \"pri\", \"hyp\", {string.Join(", ", ScenarioFeatures.Known.Where(k => !k.StartsWith("no-", StringComparison.Ordinal)).Select(k => $"\"{k}\""))}]\n";
        var s = ScenarioParser.Parse(text, "all.toml");

        Assert.Equal(ScenarioFeatures.Optional.Count + ScenarioFeatures.Basics.Count + ScenarioFeatures.Granules.Count + 6, s.Smmus[0].Features.Count);
    }
}
