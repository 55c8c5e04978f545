using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Tables;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>ATS, PASIDs with SVA, and nesting through the driver and the model.</summary>
public class DriverFeatureTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Fact]
    public void ATS_device_caches_translations_and_unmap_invalidates_its_ATC()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x50], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1);
        nic.Master.Attach(dom);
        Assert.True(nic.Master.AtsEnabled);
        Assert.True(nic.Endpoint.AtsEnabled);
        Assert.Equal(12, nic.Endpoint.Stu);

        dom.Map(0x8000, Buffer, 0x2000, Rw);
        m.Memory.Write64(Buffer + 0x1000, 77);
        Assert.Equal(77UL, DriverEndToEndTests.ReadU64(nic, 0x9000));
        var second = nic.Endpoint.Read(0x9000, new byte[8]);
        Assert.Equal(1, second.AtcHits);

        var atcBefore = smmu.Device.Statistics.Commands(Opcode.CMD_ATC_INV);
        dom.Unmap(0x8000, 0x2000);
        Assert.Equal(atcBefore + 1, smmu.Device.Statistics.Commands(Opcode.CMD_ATC_INV));
        Assert.Equal(0, nic.Endpoint.Atc!.Count);
        Assert.False(nic.Endpoint.Read(0x9000, new byte[8]).Ok);

        // Detaching turns ATS off in the function and flushes its ATC.
        nic.Master.Detach();
        Assert.False(nic.Endpoint.AtsEnabled);
        Assert.False(nic.Master.AtsEnabled);
    }

    [Fact]
    public void SVA_PASID_translates_process_address_space_and_munmap_notifies()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var acc = m.AddDevice("acc", "smmu0", [0x60], ats: true, pasidBits: 8);
        var mm = new ProcessAddressSpace("proc", smmu.Driver.Platform);
        mm.Map(0x7000_0000, Buffer + 0x5000, 0x1000);
        m.Memory.Write64(Buffer + 0x5010, 0xABCD);
        var sva = m.Iommu.AllocSva("sva", mm);
        acc.Master.SetPasid(3, sva);
        Assert.Equal(0xABCDUL, DriverEndToEndTests.ReadU64(acc, 0x7000_0010, pasid: 3));

        // RID is still blocked: non-PASID DMA aborts (S1DSS = terminate).
        Assert.False(acc.Endpoint.Read(0x7000_0010, new byte[8]).Ok);

        var vaBefore = smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_VA);
        mm.Unmap(0x7000_0000, 0x1000);
        Assert.True(smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_VA) > vaBefore);
        Assert.False(acc.Endpoint.Read(0x7000_0010, new byte[8], pasid: 3).Ok);

        acc.Master.RemovePasid(3);
        Assert.Empty(acc.Master.Pasids);
        Assert.Throws<DomainAttachException>(() => acc.Master.RemovePasid(3));
    }

    [Fact]
    public void Stage_one_domain_on_PASID_beside_identity_rid()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x61], pasidBits: 4);
        dev.Master.Attach(IdentityDomain.Instance);
        var dom = m.Iommu.AllocPaging("p", DomainKind.S1, smmu: dev.Smmu.Driver);
        dom.Map(0x1000, Buffer + 0x8000, 0x1000, Rw);
        m.Memory.Write64(Buffer + 0x8000, 5);
        dev.Master.SetPasid(2, dom);
        Assert.Equal(5UL, DriverEndToEndTests.ReadU64(dev, 0x1000, pasid: 2));

        // The RID still bypasses, now through a CD-table STE with S1DSS = bypass.
        m.Memory.Write64(Buffer, 9);
        Assert.Equal(9UL, DriverEndToEndTests.ReadU64(dev, Buffer));
        Assert.Equal(S1Dss.Bypass, Ste.S1DSS.Get(dev.Master.CurrentSte));
    }

    [Fact]
    public void Nested_domain_translates_guest_stage_one_over_parent_stage_two()
    {
        using var m = new DriverMachine(new LegacyInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("vf", "smmu0", [0x70]);
        var parent = m.Iommu.AllocPaging("vm", DomainKind.NestParent, smmu: smmu.Driver);

        // The guest's RAM: IPA [0x4000_0000, 0x6000_0000) maps 1:1 so the guest's tables (allocated
        // from the same DMA region) are valid IPAs; guest data IPA 0x2_0000_0000 maps to Buffer.
        parent.Map(DriverMachine.DmaStart, DriverMachine.DmaStart, 0x2000_0000, Rw);
        parent.Map(0x2_0000_0000, Buffer, 0x20_0000, Rw);

        var guestTable = new IoPageTable(new IoPageTableConfig(IoPageTableFormat.Stage1, Architecture.PageTables.Granule.Size4K, 48, 48, true),
            m.Memory, m.Allocator, new NoFlush());
        guestTable.Map(0x5000, 0x2_0000_3000, 0x1000, Rw);
        var cdAddr = m.Allocator.Allocate(64, 64);
        Span<ulong> cd = stackalloc ulong[8];
        var c = guestTable.Stage1Control;
        CdBuilder.MakeS1(cd, smmu.Driver.EntryFeatures,
            new Stage1Config(c.Ttbr, new TcrConfig(c.T0SZ, c.TG0, c.IRGN0, c.ORGN0, c.SH0, c.IPS), c.Mair, 42), stallEnabled: false);
        for (var i = 0; i < 8; i++)
        {
            m.Memory.Write64(cdAddr + ((ulong)i * 8), cd[i]);
        }

        Span<ulong> guestSte = stackalloc ulong[8];
        guestSte.Clear();
        Ste.V.Set(guestSte, 1);
        Ste.Config.Set(guestSte, SteConfig.S1Translate);
        guestSte[0] = Ste.S1ContextPtr.InsertAddress(guestSte[0], cdAddr);
        var nested = new NestedDomain("guest", new VSmmu("vsmmu0", smmu.Driver, parent), guestSte);
        dev.Master.Attach(nested);
        m.Memory.Write64(Buffer + 0x3008, 0x5EED);
        Assert.Equal(0x5EEDUL, DriverEndToEndTests.ReadU64(dev, 0x5008));

        // Unmapping from the parent invalidates S2 and, for the guest's stage 1, NH_ALL on the VMID.
        var nhAll = smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_ALL);
        parent.Unmap(0x2_0000_0000, 0x20_0000);
        Assert.Equal(nhAll + 1, smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_ALL));
        Assert.False(dev.Endpoint.Read(0x5008, new byte[8]).Ok);
    }

    private sealed class NoFlush : IIoPageTableFlushOps
    {
        public void FlushWalk(ulong iova, ulong size, ulong granule)
        {
        }

        public void AddPage(IotlbGather gather, ulong iova, ulong granule)
        {
        }
    }
}
