using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Guest;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Cmdqv;
using SmmuLab.Machines;

namespace SmmuLab.Concurrency.Tests.Controls;

/// <summary>
/// Deterministic checks beside the invalidation designs: the Tegra241 CMDQV's host queues and a
/// guest kernel's invalidations through its vSMMU. Each passes for the real driver and fails for
/// the negative controls listed against it in <see cref="NegativeControls"/>.
/// </summary>
public static class PlatformChecks
{
    private const ulong Ipa = 0x4000_0000;
    private const ulong Pa = 0x1_2000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    /// <summary>
    /// A host (HYP_OWN reads 1) attaches an ATS master, maps and unmaps: its configuration commands
    /// go to its VCMDQs like its TLBIs, and the SMMU's own CMDQ sees none of them.
    /// </summary>
    public static void Host_VCMDQs_take_every_command(CmdqvDriverOptions options)
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var cmdqv = m.AttachCmdqv("smmu0", new Tegra241CmdqvOptions(), options);
        Assert.True(cmdqv.Driver!.Vintf0.HypOwn);
        var before = smmu.Device.Statistics.CommandsConsumed;
        var dev = m.AddDevice("nic", "smmu0", [0x40], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(dom);
        dom.Map(0x10000, 0x1_0000_0000, 0x4000, Rw);
        dom.Unmap(0x10000, 0x4000);

        Assert.Equal(before, smmu.Device.Statistics.CommandsConsumed);
        Assert.True(OnVcmdqs(cmdqv, Opcode.CMD_CFGI_STE) > 0);
        Assert.True(OnVcmdqs(cmdqv, Opcode.CMD_TLBI_NH_VA) > 0);
    }

    /// <summary>
    /// A guest kernel (its commands through <paramref name="wrap"/>) maps a page, a device reads it
    /// through both stages, the guest unmaps it: the read must then fault.
    /// </summary>
    public static void Guest_unmap_reaches_the_TLB(Func<IGuestCommandQueue, IGuestCommandQueue> wrap)
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x400]);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, pinnedTag: 9, smmu: smmu.Driver);
        using var vm = new GuestVm("vm", smmu.Driver, np);
        var d = vm.CreateDomain("g", 5);
        d.Guest.Queue = wrap(d.Guest.Queue);
        np.Map(Ipa, Pa, 0x1000, Rw);
        d.Guest.Map(0x10000, Ipa, 0x1000, Rw);
        vm.Attach(vf.Master, d);
        var word = new byte[8];
        Assert.True(vf.Endpoint.Read(0x10000, word).Ok);

        d.Guest.Unmap(0x10000, 0x1000);

        Assert.False(vf.Endpoint.Read(0x10000, word).Ok, "the TLB kept the guest's unmapped page");
    }

    private static long OnVcmdqs(CmdqvNode cmdqv, Opcode op)
    {
        long n = 0;
        for (var q = 0; q < cmdqv.Device.Options.Vcmdqs; q++)
        {
            n += cmdqv.Device.QueueStatistics(q).Commands(op);
        }

        return n;
    }
}
