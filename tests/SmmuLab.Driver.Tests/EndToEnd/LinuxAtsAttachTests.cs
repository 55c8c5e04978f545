using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Observation;
using SmmuLab.Machines;
using static SmmuLab.Driver.Tests.EndToEnd.Expect;
using T = SmmuLab.Driver.Invalidation.Linux.InvalidationType;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>ATS across attaches under the Linux design: the first enable, and PASIDs outliving the RID's ATS.</summary>
public class LinuxAtsAttachTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Fact]
    public void A_first_ATS_attach_flushes_the_whole_ATC_of_every_StreamID_before_ATS_is_enabled()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x21, 0x20], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        var stream = new List<Command>();
        var atsOnAtAtcInv = new List<bool>();
        using (smmu.Device.AddObserver(new DelegateObserver
        {
            OnCommand = (_, c) =>
            {
                stream.Add(c.Command);
                if (c.Command.Opcode == Opcode.CMD_ATC_INV)
                {
                    atsOnAtAtcInv.Add(nic.Endpoint.AtsEnabled);
                }
            },
        }))
        {
            Assert.False(nic.Endpoint.AtsEnabled);
            nic.Master.Attach(dom);
        }

        Assert.True(nic.Endpoint.AtsEnabled);
        Assert.True(nic.Master.AtsEnabled);

        // The only invalidations: the whole ATC (SIZE 52, no PASID) of each StreamID, then a CMD_SYNC,
        // after the STEs were written (they allow ATS before the function may use it).
        var atcs = Invalidations(stream);
        Stream(atcs, AtcInv(0x20, 0, 0, 52), AtcInv(0x21, 0, 0, 52));
        Assert.Equal([false, false], atsOnAtAtcInv);
        var lastAtc = Array.LastIndexOf(stream.ToArray(), atcs[^1]);
        Assert.Equal(Opcode.CMD_SYNC, stream[lastAtc + 1].Opcode);
        Assert.True(stream.FindLastIndex(c => c.Opcode == Opcode.CMD_CFGI_STE) < stream.IndexOf(atcs[0]));
    }

    [Fact]
    public void A_re_attach_with_ATS_already_on_flushes_only_its_own_SSID()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x20], ats: true);
        var a = m.Iommu.AllocPaging("a", DomainKind.S1, pinnedTag: 5);
        var b = m.Iommu.AllocPaging("b", DomainKind.S1, pinnedTag: 6);
        nic.Master.Attach(a);
        using var rec = new CommandRecorder(smmu.Device);

        nic.Master.Attach(b);

        // ATS stays on: the RID's ATC (SSID 0: everything) is flushed once; a's last user left: its ASID too.
        Stream(Invalidations(rec.Take()), AtcInv(0x20, 0, 0, 52), NhAsid(5));
        Assert.True(nic.Endpoint.AtsEnabled);
    }

    [Fact]
    public void A_detach_that_leaves_trash_in_the_middle_publishes_the_compacted_array()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var a = m.AddDevice("a", "smmu0", [1], ats: true);
        var b = m.AddDevice("b", "smmu0", [2], ats: true);
        var d = m.Iommu.AllocPaging("d", DomainKind.S1, pinnedTag: 5);
        a.Master.Attach(d);
        b.Master.Attach(d);
        var before = LinuxInvalidation.ArrayOf(d);

        a.Master.Detach(); // ATC 1 becomes trash between the ASID and ATC 2

        var after = LinuxInvalidation.ArrayOf(d);
        Assert.NotSame(before, after);
        Assert.Equal((2, 0), (after.Count, after.TrashCount));
        LinuxAttachTests.Entries(d, (T.S1Asid, 5u, 12u, 1), (T.Ats, 2, 0, 1));
    }

    [Fact]
    public void Removing_a_PASID_after_the_RID_turned_ATS_off_removes_the_ATC_entries_that_were_merged()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x40], ats: true, pasidBits: 8);
        var rid = m.Iommu.AllocPaging("rid", DomainKind.S1, pinnedTag: 5);
        var pd = m.Iommu.AllocPaging("pd", DomainKind.S1, pinnedTag: 6);
        dev.Master.Attach(rid);
        dev.Master.SetPasid(7, pd);
        LinuxAttachTests.Entries(pd, (T.S1Asid, 6u, 12u, 1), (T.Ats, 0x40, 7, 1));

        dev.Master.Detach(); // the RID goes to blocked: ATS off, PASID 7 stays on pd
        Assert.False(dev.Master.AtsEnabled);
        LinuxAttachTests.Entries(pd, (T.S1Asid, 6u, 12u, 1), (T.Ats, 0x40, 7, 1));

        dev.Master.RemovePasid(7);

        // The to-unref list is what was merged (with the ATC entry), not what ATS is now.
        LinuxAttachTests.Entries(pd);
        Assert.Equal((0, 0), (LinuxInvalidation.ArrayOf(pd).Count, LinuxInvalidation.ArrayOf(pd).Warnings));
        pd.Map(0x3000, Buffer, 0x1000, Rw);
        using var rec = new CommandRecorder(smmu.Device);
        pd.Unmap(0x3000, 0x1000);
        Assert.Empty(Invalidations(rec.Take()));
    }
}
