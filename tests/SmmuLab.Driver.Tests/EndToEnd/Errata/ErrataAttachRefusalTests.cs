using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Errata;

/// <summary>An attach refused because a workaround took a feature away names the erratum.</summary>
public class ErrataAttachRefusalTests
{
    private static readonly SmmuFeatures WithNesting = new() { Stage1 = true, Stage2 = true };

    [Fact]
    public void A_nest_parent_on_an_MMU_600_r0p0_is_refused_naming_erratum_1209401()
    {
        using var m = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        m.AddSmmu("smmu0", WithNesting, ProductIdentity.Parse("mmu-600 r0p0"));
        var vf = m.AddDevice("vf", "smmu0", [0x40]);
        var parent = m.Iommu.AllocPaging("vm", DomainKind.NestParent);

        var e = Assert.Throws<DomainAttachException>(() => vf.Master.Attach(parent));

        Assert.Contains("nesting: False", e.Message, StringComparison.Ordinal);
        Assert.Contains("MMU-600 erratum 1209401: nesting disabled", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_attach_on_an_MMU_600_r2p0_succeeds()
    {
        using var m = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        m.AddSmmu("smmu0", WithNesting, ProductIdentity.Parse("mmu-600 r2p0"));
        var vf = m.AddDevice("vf", "smmu0", [0x40]);
        var parent = m.Iommu.AllocPaging("vm", DomainKind.NestParent);

        vf.Master.Attach(parent);

        Assert.Same(parent, vf.Master.Domain);
    }
}
