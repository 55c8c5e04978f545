using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Cmdqv;

/// <summary>
/// Regression test for Linux 803e41f36d22 ("Set supports_cmd op in tegra241_vcmdq_hw_init()"):
/// a VCMDQ's supported-command check must be chosen after VINTF0's HYP_OWN is read back. With the
/// old order the host's queues got the guest filter and every non-invalidation command went to
/// the SMMU's CMDQ; with the fix the host sends them to its VCMDQs too. Per-queue counters show it.
/// </summary>
public class CmdqvHypOwnFilterTests
{
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    /// <summary>Attach (CFGI_STE, CFGI_CD, PREFETCH_CONFIG, ATC_INV), map, unmap (TLBI_NH_VA, ATC_INV).</summary>
    private static void HostWorkload(DriverMachine m)
    {
        var dev = m.AddDevice("nic", "smmu0", [0x40], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(dom);
        dom.Map(0x10000, 0x1_0000_0000, 0x4000, Rw);
        dom.Unmap(0x10000, 0x4000);
    }

    [Fact]
    public void With_the_fix_host_non_invalidation_commands_go_to_VCMDQs()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        var driver = cmdqv.Driver!;
        Assert.True(driver.Vintf0.HypOwn);
        Assert.All(driver.KernelQueues, q => Assert.False(q.GuestFilterInstalled));
        var main = m.Smmu("smmu0").Device.Statistics;
        var mainBefore = main.CommandsConsumed;

        HostWorkload(m);

        Assert.Equal(mainBefore, main.CommandsConsumed); // the SMMU's CMDQ saw nothing more
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_CFGI_STE) > 0);
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_CFGI_CD) > 0);
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_PREFETCH_CONFIG) > 0);
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_TLBI_NH_VA) > 0);
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_ATC_INV) > 0);
    }

    [Fact]
    public void With_the_old_order_host_non_invalidation_commands_go_to_the_main_queue()
    {
        using var m = CmdqvMachine.Build(out var cmdqv, buggyInitOrder: true);
        var driver = cmdqv.Driver!;
        Assert.True(driver.Vintf0.HypOwn); // the hardware says host-owned...
        Assert.All(driver.KernelQueues, q => Assert.True(q.GuestFilterInstalled)); // ...but the filter was chosen before
        var main = m.Smmu("smmu0").Device.Statistics;
        var cfgiSte = main.Commands(Opcode.CMD_CFGI_STE);
        var cfgiCd = main.Commands(Opcode.CMD_CFGI_CD);
        var prefetch = main.Commands(Opcode.CMD_PREFETCH_CONFIG);
        var tlbi = main.Commands(Opcode.CMD_TLBI_NH_VA);

        HostWorkload(m);

        Assert.True(main.Commands(Opcode.CMD_CFGI_STE) > cfgiSte);
        Assert.True(main.Commands(Opcode.CMD_CFGI_CD) > cfgiCd);
        Assert.True(main.Commands(Opcode.CMD_PREFETCH_CONFIG) > prefetch);
        Assert.Equal(0, cmdqv.OnVcmdqs(Opcode.CMD_CFGI_STE));
        Assert.Equal(0, cmdqv.OnVcmdqs(Opcode.CMD_CFGI_CD));
        Assert.Equal(0, cmdqv.OnVcmdqs(Opcode.CMD_PREFETCH_CONFIG));

        // The three guest opcodes still use the VCMDQs.
        Assert.Equal(tlbi, main.Commands(Opcode.CMD_TLBI_NH_VA));
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_TLBI_NH_VA) > 0);
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_ATC_INV) > 0);
    }

    [Fact]
    public void In_a_guest_kernel_the_fix_keeps_the_guest_filter()
    {
        // HYP_OWN wired to 0: the same driver reads back 0 and installs the guest filter (status quo).
        using var m = CmdqvMachine.Build(out var cmdqv, hypOwnWiredToZero: true);
        var driver = cmdqv.Driver!;
        Assert.False(driver.Vintf0.HypOwn);
        Assert.All(driver.KernelQueues, q => Assert.True(q.GuestFilterInstalled));
        var main = m.Smmu("smmu0").Device.Statistics;
        var cfgiSte = main.Commands(Opcode.CMD_CFGI_STE);

        HostWorkload(m);

        Assert.True(main.Commands(Opcode.CMD_CFGI_STE) > cfgiSte);
        Assert.Equal(0, cmdqv.OnVcmdqs(Opcode.CMD_CFGI_STE));
        Assert.True(cmdqv.OnVcmdqs(Opcode.CMD_TLBI_NH_VA) > 0);
    }

    [Fact]
    public void Bypass_sends_everything_to_the_main_queue()
    {
        using var m = CmdqvMachine.Build(out var cmdqv, bypass: true);
        HostWorkload(m);
        Assert.Equal(0, cmdqv.NonSyncOnVcmdqs());
        Assert.True(m.Smmu("smmu0").Device.Statistics.Commands(Opcode.CMD_TLBI_NH_VA) > 0);
    }

    [Fact]
    public void Teardown_keeps_the_mapping_order_and_leaves_nothing_in_error()
    {
        var m = CmdqvMachine.Build(out var cmdqv);
        HostWorkload(m);
        var vm = cmdqv.Driver!.AllocateUserVintf(vmid: 3);
        vm.Dispose();
        m.Dispose();
        Assert.Equal(0, cmdqv.Device.AllocationOrderViolations);
        for (var q = 0; q < cmdqv.Device.Options.Vcmdqs; q++)
        {
            Assert.Equal(-1, cmdqv.Device.GlobalIndexOf(q / 4, q % 4));
            Assert.False(cmdqv.Device.QueueInError(q));
        }
    }
}
