using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Nesting;

/// <summary>The vSMMU's invalidation call: the guest's commands, rewritten for the host.</summary>
public class VSmmuTests
{
    [Fact]
    public void Guest_commands_get_the_VMID_and_the_physical_StreamIDs()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x400, 0x401], ats: true);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 9, smmu: smmu.Driver);
        np.FinaliseFor(smmu.Driver);
        var vsmmu = new VSmmu("vm", smmu.Driver, np);
        vsmmu.AddDevice(1, vf.Master, 0x401);
        using var rec = new CommandRecorder(smmu.Device);

        vsmmu.Invalidate([
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, 0x10000, leaf: true),
            Command.TlbiNhAsid(3, 5),
            Command.TlbiNhAll(0),
            Command.AtcInv(1, 0, ssv: false, 0x10000, 0),
            Command.CfgiCd(1, 0, leaf: true),
        ]);

        var seen = rec.Take();
        Assert.Equal([Opcode.CMD_TLBI_NH_VA, Opcode.CMD_TLBI_NH_ASID, Opcode.CMD_TLBI_NH_ALL, Opcode.CMD_ATC_INV, Opcode.CMD_CFGI_CD, Opcode.CMD_SYNC],
            seen.Select(c => c.Opcode));
        Assert.All(seen.Take(3), c => Assert.Equal(9UL, CommandLayouts.Vmid.Get(c.Dw0)));
        Assert.Equal(5UL, CommandLayouts.Asid.Get(seen[0].Dw0));
        Assert.Equal(0x10000UL, CommandLayouts.Addr.GetAddress(seen[0].Dw1));
        Assert.All(seen.Skip(3).Take(2), c => Assert.Equal(0x401UL, CommandLayouts.Sid.Get(c.Dw0)));
        Assert.Equal(1, vf.Endpoint.AtcInvalidationsReceived);
        Assert.Equal((1L, 5L), (vsmmu.Invalidations, vsmmu.CommandsForwarded));
    }

    [Fact]
    public void A_command_the_guest_may_not_send_or_an_unknown_virtual_StreamID_issues_nothing()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x400]);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 9, smmu: smmu.Driver);
        np.FinaliseFor(smmu.Driver);
        var vsmmu = new VSmmu("vm", smmu.Driver, np);
        vsmmu.AddDevice(1, vf.Master, 0x400);
        using var rec = new CommandRecorder(smmu.Device);

        Assert.Throws<ArgumentException>(() => vsmmu.Invalidate([Command.TlbiNhAsid(0, 5), Command.AtcInv(2, 0, ssv: false, 0, 0)]));
        Assert.Throws<ArgumentException>(() => vsmmu.Invalidate([Command.CfgiAll()]));
        Assert.Throws<ArgumentException>(() => vsmmu.Invalidate([Command.TlbiS12Vmall(9)]));
        Assert.Empty(rec.Take());

        // Virtual StreamIDs are the VM's: one each, and only for the master's own StreamIDs.
        Assert.Throws<InvalidOperationException>(() => vsmmu.AddDevice(1, vf.Master, 0x400));
        Assert.Throws<ArgumentException>(() => vsmmu.AddDevice(2, vf.Master, 0x500));
        vsmmu.RemoveDevice(1);
        Assert.False(vsmmu.TryGetPhysicalSid(1, out _));
    }
}
