using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Verification.Tests;

/// <summary>Nested domains: the guest's stage 1 (IOVA to IPA) over the parent's stage 2 (IPA to PA).</summary>
public class NestedOracleTests
{
    private const ulong Iova = 0x10000;
    private const ulong Ipa = 0x4000_0000;
    private const ulong Pa = 0xa000_0000;

    [Fact]
    public void An_access_is_fine_when_both_stages_map_it()
    {
        using var oracle = Vm();

        oracle.Check(Access(Iova + 0x1010, Pa + 0x1010));

        Assert.Equal((1L, 0L), (oracle.PagesChecked, oracle.ViolationCount));
        Assert.Equal(0, oracle.Summarize().PagesUnchecked);
    }

    [Fact]
    public void A_dead_guest_mapping_is_stale_and_names_the_guest_unmap()
    {
        using var oracle = Vm();
        oracle.Step = 7;
        oracle.Unmapped("guest", Iova, 0x1000);
        oracle.Step = 8;

        oracle.Check(Access(Iova, Pa));
        oracle.Check(Access(Iova + 0x1000, Pa + 0x1000)); // still live

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, "guest", "guest"), (v.Kind, v.Domain, v.KilledDomain));
        Assert.Equal((7, "unmap guest 0x10000+0x1000"), (v.KilledBy!.Value.Step, v.KilledBy.Value.Description));
    }

    [Fact]
    public void A_dead_stage_2_mapping_under_a_live_guest_mapping_is_stale_and_names_the_parent_unmap()
    {
        using var oracle = Vm();
        oracle.Step = 3;
        oracle.Unmapped("vm", Ipa + 0x1000, 0x1000);
        oracle.Step = 4;

        oracle.Check(Access(Iova + 0x1000, Pa + 0x1000));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal(ViolationKind.Stale, v.Kind);
        Assert.Equal((3, "unmap vm 0x40001000+0x1000"), (v.KilledBy!.Value.Step, v.KilledBy.Value.Description));
    }

    [Fact]
    public void When_both_stages_died_the_earlier_kill_is_named()
    {
        using var oracle = Vm();
        oracle.Step = 1;
        oracle.Unmapped("vm", Ipa, 0x2000);
        oracle.Step = 2;
        oracle.Unmapped("guest", Iova, 0x2000);
        oracle.Step = 3;

        oracle.Check(Access(Iova, Pa));

        Assert.Equal(1, Assert.Single(oracle.Violations).KilledBy!.Value.Step);
    }

    [Fact]
    public void A_guest_remap_to_another_IPA_makes_the_old_PA_stale_and_the_new_one_fine()
    {
        using var oracle = Vm();
        oracle.Mapped("vm", Ipa + 0x10_0000, Pa + 0x10_0000, 0x1000);
        oracle.Step = 5;
        oracle.Unmapped("guest", Iova, 0x1000);
        oracle.Mapped("guest", Iova, Ipa + 0x10_0000, 0x1000);
        oracle.Step = 6;

        oracle.Check(Access(Iova, Pa + 0x10_0000));
        oracle.Check(Access(Iova, Pa));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, Pa, 5), (v.Kind, v.PhysicalAddress, v.KilledBy!.Value.Step));
    }

    [Fact]
    public void A_PA_neither_stage_ever_led_to_is_unmapped()
    {
        using var oracle = Vm();

        oracle.Check(Access(Iova, Pa + 0x10_0000)); // the guest maps the IOVA, the parent maps its IPA elsewhere
        oracle.Check(Access(Iova + 0x10_0000, Pa)); // the guest never mapped the IOVA

        Assert.All(oracle.Violations, v => Assert.Equal((ViolationKind.Unmapped, (OracleKill?)null), (v.Kind, v.KilledBy)));
        Assert.Equal(2, oracle.ViolationCount);
    }

    [Fact]
    public void Leaving_a_nested_domain_kills_its_translations()
    {
        using var oracle = Vm();
        oracle.AddDomain("other", OracleDomainKind.Paging);
        oracle.Step = 2;
        oracle.Attached("vf", null, "other");
        oracle.Step = 3;

        oracle.Check(Access(Iova, Pa));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, "other", "guest", "attach vf to other"), (v.Kind, v.Domain, v.KilledDomain, v.KilledBy!.Value.Description));
    }

    [Fact]
    public void A_nested_domain_needs_a_paging_parent()
    {
        using var oracle = new StaleTranslationOracle();
        oracle.AddDomain("id", OracleDomainKind.Identity);

        Assert.Throws<ArgumentException>(() => oracle.AddNestedDomain("guest", "id"));
        Assert.Throws<ArgumentException>(() => oracle.AddNestedDomain("guest", "nothing"));
    }

    /// <summary>Parent "vm": IPA 0x40000000+1M -> PA 0xa0000000; "guest": IOVA 0x10000+8K -> IPA 0x40000000; vf attached to guest.</summary>
    private static StaleTranslationOracle Vm()
    {
        var oracle = new StaleTranslationOracle();
        oracle.AddDomain("vm", OracleDomainKind.Paging);
        oracle.AddNestedDomain("guest", "vm");
        oracle.Mapped("vm", Ipa, Pa, 0x10_0000);
        oracle.Mapped("guest", Iova, Ipa, 0x2000);
        oracle.Attached("vf", null, "guest");
        return oracle;
    }

    private static DmaAccess Access(ulong iova, ulong pa) => new("vf", 0x400, null, iova, pa, 0x10, Write: false, FromAtc: false);
}
