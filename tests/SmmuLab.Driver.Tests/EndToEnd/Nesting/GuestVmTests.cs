using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Guest;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Tests.EndToEnd.Cmdqv;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Nesting;

/// <summary>A VM with a vSMMU on a whole machine: guest tables in the VM's RAM, walked through stage 2.</summary>
public class GuestVmTests
{
    private const ulong Ipa = 0x4000_0000;
    private const ulong Pa = 0x1_2000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Fact]
    public void The_VMs_RAM_is_mapped_at_stage_2_and_holds_the_guests_tables_by_IPA()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 9, smmu: smmu.Driver);
        using var vm = new GuestVm("vm", smmu.Driver, np);
        var d = vm.CreateDomain("g", 5);

        Assert.Equal(vm.Memory.PaBase, np.IovaToPhys(GuestVm.DefaultRamIpa));
        Assert.Equal(GuestVm.DefaultRamIpa, vm.Memory.IpaBase);
        Assert.NotEqual(vm.Memory.IpaBase, vm.Memory.PaBase); // not an identity window: only stage 2 finds the tables

        // CD 0 (read by IPA through guest memory): the guest's ASID and TTB0 = its table's IPA.
        var cd0 = vm.Memory.Read64(d.Guest.CdTableIpa);
        var cd1 = vm.Memory.Read64(d.Guest.CdTableIpa + 8);
        Assert.Equal(5UL, Cd.ASID.Get(cd0));
        Assert.Equal(d.Guest.PageTable.TableBase, cd1 & EntryUsedBitsTtb0Mask);
        Assert.True(vm.Memory.Contains(d.Guest.PageTable.TableBase));
        Assert.True(d.Nested.GuestWantsAts);
    }

    [Fact]
    public void A_guest_DMA_lands_at_the_PA_of_both_stages_and_stops_when_stage_2_cannot_reach_the_guest_tables()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x400]);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 9, smmu: smmu.Driver);
        using var vm = new GuestVm("vm", smmu.Driver, np);
        var d = vm.CreateDomain("g", 5);
        np.Map(Ipa, Pa, 0x1000, Rw);
        d.Guest.Map(0x10000, Ipa, 0x1000, Rw);
        vm.Attach(vf.Master, d);

        byte[] data = [1, 2, 3, 4];
        Assert.True(vf.Endpoint.Write(0x10010, data).Ok);
        var back = new byte[4];
        m.Memory.Read(Pa + 0x10, back);
        Assert.Equal(data, back);
        Assert.Equal(new Dictionary<uint, bool> { [1] = false }, d.Guest.Streams);

        // A second guest domain, attached before any walk: with the VM's RAM gone from stage 2 its CD cannot be fetched.
        var vf2 = m.AddDevice("vf2", "smmu0", [0x500]);
        var d2 = vm.CreateDomain("g2", 6);
        d2.Guest.Map(0x10000, Ipa, 0x1000, Rw);
        vm.Attach(vf2.Master, d2);
        np.Unmap(GuestVm.DefaultRamIpa, GuestVm.DefaultRamSize);
        var r = vf2.Endpoint.Write(0x10000, data);
        Assert.False(r.Ok);
        Assert.Equal(2u, vm.VirtualSid(vf2.Master, 0x500));
    }

    [Fact]
    public void With_a_CMDQV_the_guest_VCMDQ_ring_is_in_its_RAM_and_its_commands_reach_the_hardware()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        var smmu = m.Smmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x400], ats: true);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 9, smmu: smmu.Driver);
        using var vm = new GuestVm("vm", smmu.Driver, np, cmdqv.Driver);
        var d = vm.CreateDomain("g", 5);
        vm.Attach(vf.Master, d);

        Assert.True(vm.Memory.Contains(vm.Vcmdq!.BaseAddress));
        Assert.IsType<GuestVcmdqRoute>(vm.Queue);
        var before = vf.Endpoint.AtcInvalidationsReceived;
        vm.Queue.IssueWithSync([Command.TlbiNhAsid(0, 5), InvalidationCommands.AtcInv(1, 0, 0, 0)]);

        var q = cmdqv.Device.QueueStatistics(cmdqv.Device.GlobalIndexOf(vm.Vintf!.Index, 0));
        Assert.Equal((1L, 1L, 1L), (q.Commands(Opcode.CMD_TLBI_NH_ASID), q.VmidsReplaced, q.SidsReplaced));
        Assert.Equal(before + 1, vf.Endpoint.AtcInvalidationsReceived);
        Assert.Equal(0, vm.VSmmu.Invalidations);

        // A command the VCMDQ does not take goes through the vSMMU instead.
        vm.Queue.IssueWithSync([Command.CfgiCd(1, 0, leaf: true)]);
        Assert.Equal(1, vm.VSmmu.Invalidations);
    }

    private static ulong EntryUsedBitsTtb0Mask => Driver.Tables.EntryUsedBits.Ttb0Mask;
}
