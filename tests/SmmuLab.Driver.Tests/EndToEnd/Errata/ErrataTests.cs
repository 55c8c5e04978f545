using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Errata;

/// <summary>IIDR-keyed errata: the driver's workarounds per product revision, and what the model reproduces.</summary>
public class ErrataTests
{
    [Theory]
    [InlineData("generic", true, true, true, false)]
    [InlineData("mmu-600 r0p0", false, false, true, false)]
    [InlineData("mmu-600 r0p2", false, false, true, false)]
    [InlineData("mmu-600 r1p0", true, false, true, false)]
    [InlineData("mmu-600 r2p0", true, true, true, false)]
    [InlineData("mmu-700 r0p0", true, false, false, true)]
    [InlineData("mmu-700 r0p1", true, false, false, true)]
    [InlineData("mmu-700 r1p0", true, false, false, true)]
    [InlineData("mmu-700 r1p1", true, true, false, false)]
    [InlineData("mmu-700 r1p2", true, true, false, false)]
    [InlineData("mmu-l1 r0p0", true, true, false, false)]
    [InlineData("mmu-s3 r0p0", true, true, false, false)]
    public void Driver_applies_linux_workarounds_by_iidr(string product, bool sev, bool nesting, bool btm, bool forceSync)
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var node = m.AddSmmu("smmu0", new SmmuFeatures { Btm = true }, ProductIdentity.Parse(product));
        var f = node.Driver.Features;
        Assert.Equal(sev, f.Sev);
        Assert.Equal(nesting, f.Nesting);
        Assert.Equal(btm, f.Btm);
        Assert.Equal(forceSync, node.Driver.Cmdq.ForceSync);
        Assert.Equal(product == "generic" || product == "mmu-600 r2p0", node.Driver.Workarounds.Count == 0);
    }

    [Fact]
    public void Nesting_parent_is_refused_when_an_erratum_disables_nesting()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        m.AddSmmu("smmu0", product: ProductIdentity.Parse("mmu-700 r1p0"));
        var dev = m.AddDevice("vf", "smmu0", [1]);
        var parent = m.Iommu.AllocPaging("vm", DomainKind.NestParent);
        var e = Assert.Throws<DomainAttachException>(() => dev.Master.Attach(parent));
        Assert.Contains("nesting", e.Message);
        Assert.IsType<BlockedDomain>(dev.Master.Domain);
    }

    [Theory]
    [InlineData("mmu-700 r0p0", true)]
    [InlineData("mmu-700 r1p1", false)]
    public void MMU700_before_r1_p1_never_has_more_than63_commands_without_SYNC(string product, bool forced)
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var node = m.AddSmmu("smmu0", new SmmuFeatures { RangeInvalidation = false }, ProductIdentity.Parse(product));
        var dev = m.AddDevice("dev", "smmu0", [2]);
        var dom = m.Iommu.AllocPaging("d", DomainKind.S1, smmu: node.Driver);
        dev.Master.Attach(dom);
        dom.Map(0, 0x1_0000_0000, 0x100000, IommuProt.Read | IommuProt.Write);

        var run = 0;
        var longest = 0;
        node.Device.AddObserver(new DelegateObserver
        {
            OnCommand = (_, c) =>
            {
                run = c.Command.Opcode == Opcode.CMD_SYNC ? 0 : run + 1;
                longest = Math.Max(longest, run);
            },
        });

        // Without RIL, 256 pages are 256 TLBI_NH_VA commands in one invalidation.
        dom.InvalidateRange(0, 0x100000, 4096, leaf: true);
        if (forced)
        {
            Assert.Equal(63, longest);
        }
        else
        {
            Assert.True(longest > 63, $"longest run without CMD_SYNC was {longest}");
        }
    }

    [Theory]
    [InlineData("mmu-600 r0p2", 0)]
    [InlineData("mmu-600 r1p0", 1)]
    public void MMU600_erratum1076982_no_SEV_when_the_queue_stops_being_full(string product, long expectedEvents)
    {
        var memory = new SparsePhysicalMemory();
        var wfe = new WaitForEvent();
        using var smmu = new SmmuDevice(new SmmuDeviceOptions { Product = ProductIdentity.Parse(product), Mode = ConsumptionMode.Inline }, memory, sev: wfe);
        const ulong Base = 0x1000_0000;
        smmu.Write64(SmmuRegister.CMDQ_BASE, Base | 4); // 16 entries
        for (var i = 0; i < 16; i++)
        {
            memory.Write64(Base + ((ulong)i * 16), (ulong)Opcode.CMD_TLBI_NSNH_ALL);
        }

        // Fill the queue while it is disabled (PROD = CONS with the wrap bit flipped), then enable it.
        smmu.Write32(SmmuRegister.CMDQ_PROD, 0x10);
        smmu.Write32(SmmuRegister.CR0, (uint)Cr0.CMDQEN.Make(1));
        Assert.Equal(0x10u, smmu.Read32(SmmuRegister.CMDQ_CONS));
        Assert.Equal(expectedEvents, wfe.EventsSent);
    }
}
