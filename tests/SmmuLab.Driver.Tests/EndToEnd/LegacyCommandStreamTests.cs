using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>
/// The commands the legacy design emits, command by command: the TLBIs and their CMD_SYNC before
/// any ATC_INV, one ATC_INV per StreamID of every ATS master in the domain's list, the list across
/// PASIDs and re-attaches, the domain free. Every domain is on 4 KiB pages with RIL (TG = 1).
/// </summary>
public class LegacyCommandStreamTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Fact]
    public void A_non_ATS_master_listed_before_an_ATS_master_does_not_end_the_ATC_walk_and_TLBIs_sync_first()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var disk = m.AddDevice("disk", "smmu0", [0x30]);
        var nic = m.AddDevice("nic", "smmu0", [0x21, 0x20], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        disk.Master.Attach(dom);
        nic.Master.Attach(dom);
        dom.Map(0x10000, Buffer, 0x2000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        dom.Unmap(0x10000, 0x2000);

        // Two pages: SCALE 1, NUM 0; then the ATC_INVs of nic's StreamIDs (sorted), 2 pages at 0x10000: SIZE 1.
        Stream(rec.Take(),
            NhVa(5, 0x10000, leaf: true, tg: 1, ttl: 3, scale: 1, num: 0),
            Sync,
            AtcInv(0x20, 0, 0x10000, 1),
            AtcInv(0x21, 0, 0x10000, 1),
            Sync);
    }

    [Fact]
    public void RID_and_PASID_of_one_master_on_one_domain_then_the_PASID_removed()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x40], ats: true, pasidBits: 8);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        dev.Master.Attach(dom);
        dev.Master.SetPasid(3, dom);
        dom.Map(0x10000, Buffer, 0x2000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        dom.Unmap(0x10000, 0x1000);
        Stream(rec.Take(),
            NhVa(5, 0x10000, leaf: true, tg: 1, ttl: 3),
            Sync,
            AtcInv(0x40, 0, 0x10000, 0),
            AtcInv(0x40, 3, 0x10000, 0),
            Sync);

        dev.Master.RemovePasid(3);
        rec.Take();
        dom.Unmap(0x11000, 0x1000);

        // The PASID's entry left the list, the RID's stayed.
        Stream(rec.Take(), NhVa(5, 0x11000, leaf: true, tg: 1, ttl: 3), Sync, AtcInv(0x40, 0, 0x11000, 0), Sync);
    }

    [Fact]
    public void Re_attach_to_the_same_domain_keeps_the_master_listed_once()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x20], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        nic.Master.Attach(dom);
        nic.Master.Attach(dom);
        dom.Map(0x10000, Buffer, 0x1000, Rw);
        using var rec = new CommandRecorder(smmu.Device);

        dom.Unmap(0x10000, 0x1000);

        Stream(rec.Take(), NhVa(5, 0x10000, leaf: true, tg: 1, ttl: 3), Sync, AtcInv(0x20, 0, 0x10000, 0), Sync);
    }

    [Theory]
    [InlineData(DomainKind.S1)]
    [InlineData(DomainKind.S2)]
    public void Domain_free_flushes_its_ASID_or_VMID_and_detach_does_not(DomainKind kind)
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x30]);
        var dom = m.Iommu.AllocPaging("dom", kind, pinnedTag: 7);
        dev.Master.Attach(dom);
        using var rec = new CommandRecorder(smmu.Device);

        dev.Master.Detach();
        Assert.Empty(Invalidations(rec.Take()));
        dom.Free();

        Stream(rec.Take(), kind == DomainKind.S1 ? NhAsid(7) : S12Vmall(7), Sync);
    }
}
