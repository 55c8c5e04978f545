using SmmuLab.Driver.Domains;
using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;
using SmmuLab.TestSupport.Designs;

using static SmmuLab.Verification.Tests.OracleFixtures;

namespace SmmuLab.Verification.Tests;

public class StaleTranslationOracleTests
{
    private const ulong Iova = 0x10000;
    private const ulong Pa = 0x8000_0000;

    [Fact]
    public void Access_through_a_live_mapping_is_fine_and_counted()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x2000);

        oracle.Check(Access(Iova + 0x1010, Pa + 0x1010));

        Assert.Equal((1L, 0L), (oracle.PagesChecked, oracle.ViolationCount));
    }

    [Fact]
    public void Access_to_a_page_never_mapped_is_unmapped()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x1000);

        oracle.Check(Access(Iova, Pa + 0x1000)); // right IOVA, wrong PA
        oracle.Check(Access(Iova + 0x1000, Pa + 0x1000)); // IOVA never mapped

        Assert.All(oracle.Violations, v => Assert.Equal(ViolationKind.Unmapped, v.Kind));
        Assert.Equal(2, oracle.ViolationCount);
        Assert.All(oracle.Violations, v => Assert.Null(v.KilledBy));
    }

    [Fact]
    public void Any_access_while_blocked_or_unattached_is_a_violation()
    {
        using var oracle = new StaleTranslationOracle();
        oracle.AddDomain("blk", OracleDomainKind.Blocked);
        oracle.Attached("nic", null, "blk");

        oracle.Check(Access(Iova, Iova));
        oracle.Check(Access(Iova, Iova, pasid: 3)); // PASID 3 is attached to nothing

        Assert.Equal([ViolationKind.Blocked, ViolationKind.Blocked], oracle.Violations.Select(v => v.Kind));
    }

    [Fact]
    public void Remapping_an_IOVA_elsewhere_does_not_hide_the_old_stale_translation()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x1000);
        oracle.Step = 2;
        oracle.Unmapped("dom", Iova, 0x1000);
        oracle.Step = 3;
        oracle.Mapped("dom", Iova, Pa + 0x10_0000, 0x1000);
        oracle.Step = 4;

        oracle.Check(Access(Iova, Pa + 0x10_0000)); // the new mapping: fine
        oracle.Check(Access(Iova, Pa)); // the old one, from a stale TLB entry

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, 4, 2), (v.Kind, v.Step, v.KilledBy!.Value.Step));
    }

    [Fact]
    public void After_detach_the_old_domains_mappings_are_stale_for_that_device_only()
    {
        using var oracle = Paging();
        oracle.Attached("gpu", null, "dom");
        oracle.Mapped("dom", Iova, Pa, 0x1000);
        oracle.Step = 5;
        oracle.Detached("nic", null);
        oracle.Step = 6;

        oracle.Check(Access(Iova, Pa, device: "gpu"));
        oracle.Check(Access(Iova, Pa));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal(("nic", ViolationKind.Stale, "blocked", "dom"), (v.Device, v.Kind, v.Domain, v.KilledDomain));
        Assert.Equal((5, "detach nic"), (v.KilledBy!.Value.Step, v.KilledBy.Value.Description));
    }

    [Fact]
    public void Moving_to_another_domain_kills_the_old_ones_mappings_and_an_earlier_unmap_keeps_its_own_step()
    {
        using var oracle = Paging();
        oracle.AddDomain("dom2", OracleDomainKind.Paging);
        oracle.Mapped("dom", Iova, Pa, 0x2000);
        oracle.Step = 1;
        oracle.Unmapped("dom", Iova, 0x1000);
        oracle.Step = 2;
        oracle.Attached("nic", null, "dom2");

        oracle.Check(Access(Iova, Pa)); // died at the unmap (#1)
        oracle.Check(Access(Iova + 0x1000, Pa + 0x1000)); // died at the move (#2)

        Assert.Equal([1, 2], oracle.Violations.Select(v => v.KilledBy!.Value.Step));
        Assert.All(oracle.Violations, v => Assert.Equal(("dom2", "dom"), (v.Domain, v.KilledDomain)));
    }

    [Fact]
    public void Identity_means_PA_equals_IOVA_and_nested_is_not_judged()
    {
        using var oracle = new StaleTranslationOracle();
        oracle.AddDomain("id", OracleDomainKind.Identity);
        oracle.AddDomain("nested", OracleDomainKind.Unchecked);
        oracle.Attached("nic", null, "id");
        oracle.Attached("nic", 1, "nested");

        oracle.Check(Access(Pa, Pa));
        oracle.Check(Access(Pa, Pa + 0x1000));
        oracle.Check(Access(Iova, Pa, pasid: 1));

        Assert.Equal((2L, 1L), (oracle.PagesChecked, oracle.ViolationCount));
        Assert.Equal(1, oracle.Summarize().PagesUnchecked);
    }

    [Fact]
    public void Every_violation_is_counted_but_only_the_first_are_kept()
    {
        using var oracle = new StaleTranslationOracle(violationLimit: 2);
        var raised = 0;
        oracle.ViolationFound += _ => raised++;
        for (var i = 0UL; i < 5; i++)
        {
            oracle.Check(Access(i << 12, i << 12));
        }

        Assert.Equal((5L, 2, 5), (oracle.ViolationCount, oracle.Violations.Count, raised));
        Assert.StartsWith("oracle: 5 DMA pages checked, 5 stale-translation violations", oracle.Summarize().Headline, StringComparison.Ordinal);
    }

    [Fact]
    public void Watching_a_driver_machine_directly_catches_the_skipped_leaf_invalidation()
    {
        using var machine = new DriverMachine(new SkipLeafInvalidation());
        machine.AddSmmu("smmu0");
        var nic = machine.AddDevice("nic", "smmu0", [0x20]);
        using var oracle = new StaleTranslationOracle();
        oracle.Watch(nic);
        var dom = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        oracle.AddDomain("dom", OracleDomainKind.Paging);

        nic.Master.Attach(dom);
        oracle.Attached("nic", null, "dom");
        dom.Map(Iova, Pa, 0x1000, IommuProt.Read | IommuProt.Write);
        oracle.Mapped("dom", Iova, Pa, 0x1000);
        Assert.True(nic.Endpoint.Write(Iova, new byte[0x1000]).Ok);
        oracle.Step = 1;
        dom.Unmap(Iova, 0x1000);
        oracle.Unmapped("dom", Iova, 0x1000);
        oracle.Step = 2;
        Assert.True(nic.Endpoint.Read(Iova, new byte[0x1000]).Ok, "the TLB entry survives the unmap");

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, 2, 1, "smmu0"), (v.Kind, v.Step, v.KilledBy!.Value.Step, v.Smmu));
    }

    [Fact]
    public void Terabyte_mappings_are_kept_as_extents_and_a_partial_unmap_kills_only_its_pages()
    {
        const ulong Base = 0x1000_0000_0000; // 16 TiB of IOVA onto 16 TiB of PA from 0
        const ulong Size = 1UL << 44;
        using var oracle = Paging();
        oracle.Mapped("dom", Base, 0, Size);
        oracle.Step = 1;
        oracle.Unmapped("dom", Base + 0x4000_0000, 0x4000_0000); // the second GiB
        oracle.Step = 2;

        oracle.Check(Access(Base + 0x3FFF_F000, 0x3FFF_F000)); // last page before the hole: live
        oracle.Check(Access(Base + 0x8000_0000, 0x8000_0000)); // first page after it: live
        oracle.Check(Access(Base + Size - 0x1000, Size - 0x1000)); // last page: live
        oracle.Check(Access(Base + 0x4000_0000, 0x4000_0000)); // in the hole: stale
        oracle.Check(Access(Base + 0x7FFF_F000, 0x7FFF_F000)); // in the hole: stale
        oracle.Check(Access(Base + 0x4000_0000, 0x4000_1000)); // in the hole, another PA: unmapped

        Assert.Equal(6, oracle.PagesChecked);
        Assert.Equal([ViolationKind.Stale, ViolationKind.Stale, ViolationKind.Unmapped], oracle.Violations.Select(v => v.Kind));
        Assert.Equal(1, oracle.Violations[0].KilledBy!.Value.Step);
    }

    [Fact]
    public void Unmapping_across_several_mappings_kills_each_with_its_own_physical_pages()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x2000);
        oracle.Mapped("dom", Iova + 0x2000, Pa + 0x10_0000, 0x2000);
        oracle.Mapped("dom", Iova + 0x1000, Pa + 0x20_0000, 0x2000); // overwrites the middle two pages
        oracle.Step = 3;
        oracle.Unmapped("dom", Iova, 0x4000);

        oracle.Check(Access(Iova, Pa));
        oracle.Check(Access(Iova + 0x1000, Pa + 0x20_0000));
        oracle.Check(Access(Iova + 0x2000, Pa + 0x20_1000));
        oracle.Check(Access(Iova + 0x3000, Pa + 0x10_1000));
        oracle.Check(Access(Iova + 0x1000, Pa + 0x1000)); // overwritten before the unmap: never died, so unmapped

        Assert.Equal([ViolationKind.Stale, ViolationKind.Stale, ViolationKind.Stale, ViolationKind.Stale, ViolationKind.Unmapped],
            oracle.Violations.Select(v => v.Kind));
    }
}
