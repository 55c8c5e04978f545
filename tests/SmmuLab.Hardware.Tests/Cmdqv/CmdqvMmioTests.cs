using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Cmdqv;

namespace SmmuLab.Hardware.Tests.Cmdqv;

/// <summary>The CMDQV register map: PARAM, enables, the VINTF-page aliases of VCMDQs, CMDQ_ALLOC ordering.</summary>
public class CmdqvMmioTests
{
    [Fact]
    public void Param_and_status_describe_the_instance()
    {
        using var bed = new CmdqvTestBed(new Tegra241CmdqvOptions { VintfsLog2 = 3, VcmdqsLog2 = 5, SidsPerVintfLog2 = 4 });
        var param = bed.Cmdqv.Read32(CmdqvRegister.PARAM);
        Assert.Equal(1UL, CmdqvParam.VER.Get(param));
        Assert.Equal(5UL, CmdqvParam.NUM_VCMDQ_LOG2.Get(param));
        Assert.Equal(3UL, CmdqvParam.NUM_VINTF_LOG2.Get(param));
        Assert.Equal(4UL, CmdqvParam.NUM_SID_PER_VM_LOG2.Get(param));
        Assert.Equal(0x30000 + (8 * 0x20000), bed.Cmdqv.RegionSize);
        Assert.Equal(1u, bed.Cmdqv.Read32(CmdqvRegister.STATUS));
        bed.Cmdqv.Write32(CmdqvRegister.CONFIG, 0);
        Assert.Equal(0u, bed.Cmdqv.Read32(CmdqvRegister.STATUS));
    }

    [Fact]
    public void VINTF_page_is_an_alias_of_the_allocated_global_queue()
    {
        using var bed = new CmdqvTestBed();
        bed.EnableVintf(1, vmid: 7, hypOwn: false);
        bed.MapQueue(vcmdq: 5, vintf: 1, lidx: 0);

        Assert.Equal(5, bed.Cmdqv.GlobalIndexOf(1, 0));
        Assert.Equal(CmdqvTestBed.RingOf(5) | CmdqvTestBed.Log2Entries, bed.Cmdqv.Read64(CmdqvRegister.VcmdqPage1Register(5, CmdqvRegister.VCMDQ_BASE)));
        Assert.Equal(1u, bed.Cmdqv.Read32(CmdqvRegister.VcmdqPage0Register(5, CmdqvRegister.VCMDQ_STATUS)));

        // An unallocated logical slot reads as zero and drops writes.
        Assert.Equal(-1, bed.Cmdqv.GlobalIndexOf(1, 1));
        bed.Cmdqv.Write32(CmdqvRegister.LvcmdqPage0Register(1, 1, CmdqvRegister.VCMDQ_CONFIG), 1);
        Assert.Equal(0u, bed.Cmdqv.Read32(CmdqvRegister.LvcmdqPage0Register(1, 1, CmdqvRegister.VCMDQ_STATUS)));

        var status = bed.Cmdqv.Read32(CmdqvRegister.VintfStatus(1));
        Assert.Equal(1UL, VintfStatus.ENABLED.Get(status));
        Assert.Equal(1UL, VintfStatus.VI_NUM_LVCMDQ.Get(status));
        Assert.Equal(7UL, VintfConfig.VMID.Get(bed.Cmdqv.Read32(CmdqvRegister.VintfConfig(1))));
    }

    [Fact]
    public void Logical_queues_map_ascending_and_unmap_descending()
    {
        using var bed = new CmdqvTestBed();
        static uint Alloc(int vintf, int lidx, bool on) =>
            (uint)(CmdqAlloc.VINTF.Make((ulong)vintf) | CmdqAlloc.LVCMDQ.Make((ulong)lidx) | CmdqAlloc.ALLOCATED.Make(on ? 1UL : 0));

        bed.Cmdqv.Write32(CmdqvRegister.CmdqAlloc(3), Alloc(2, 1, on: true)); // lidx 1 before lidx 0: dropped
        Assert.Equal(1, bed.Cmdqv.AllocationOrderViolations);
        Assert.Equal(-1, bed.Cmdqv.GlobalIndexOf(2, 1));

        bed.Cmdqv.Write32(CmdqvRegister.CmdqAlloc(2), Alloc(2, 0, on: true));
        bed.Cmdqv.Write32(CmdqvRegister.CmdqAlloc(3), Alloc(2, 1, on: true));
        Assert.Equal(2, bed.Cmdqv.GlobalIndexOf(2, 0));
        Assert.Equal(3, bed.Cmdqv.GlobalIndexOf(2, 1));

        bed.Cmdqv.Write32(CmdqvRegister.CmdqAlloc(2), Alloc(2, 0, on: false)); // lidx 0 while lidx 1 is mapped: dropped
        Assert.Equal(2, bed.Cmdqv.AllocationOrderViolations);
        Assert.Equal(2, bed.Cmdqv.GlobalIndexOf(2, 0));

        bed.Cmdqv.Write32(CmdqvRegister.CmdqAlloc(3), Alloc(2, 1, on: false));
        bed.Cmdqv.Write32(CmdqvRegister.CmdqAlloc(2), Alloc(2, 0, on: false));
        Assert.Equal(-1, bed.Cmdqv.GlobalIndexOf(2, 0));
        Assert.Equal(2, bed.Cmdqv.AllocationOrderViolations);
    }

    [Fact]
    public void Hyp_own_is_wired_to_zero_in_a_guest()
    {
        using var bed = new CmdqvTestBed(new Tegra241CmdqvOptions { HypOwnWiredToZero = true });
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        var config = bed.Cmdqv.Read32(CmdqvRegister.VintfConfig(0));
        Assert.Equal(1UL, VintfConfig.EN.Get(config));
        Assert.Equal(0UL, VintfConfig.HYP_OWN.Get(config));
    }

    [Fact]
    public void Host_queue_executes_any_command_into_the_SMMU_caches()
    {
        using var bed = new CmdqvTestBed();
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 0, vintf: 0, lidx: 0);
        bed.InsertTlbEntry(vmid: 3, asid: 9, va: 0x5000);
        bed.InsertTlbEntry(vmid: 4, asid: 9, va: 0x5000);

        bed.Submit(0, 0, Command.CfgiAll(), Command.TlbiNhAll(3), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.False(bed.TlbHolds(3, 9, 0x5000));
        Assert.True(bed.TlbHolds(4, 9, 0x5000)); // a host queue keeps the VMID it is given
        var stats = bed.Cmdqv.QueueStatistics(0);
        Assert.Equal(1, stats.Commands(Opcode.CMD_CFGI_STE_RANGE));
        Assert.Equal(1, stats.Commands(Opcode.CMD_TLBI_NH_ALL));
        Assert.Equal(1, stats.Commands(Opcode.CMD_SYNC));
        Assert.Equal(0, stats.VmidsReplaced);
        Assert.Equal(0, bed.Smmu.Statistics.CommandsConsumed); // the SMMU's own CMDQ saw nothing
        Assert.Equal(3u, bed.Cons(0, 0));
    }

    [Fact]
    public void Nothing_is_consumed_while_the_CMDQV_or_the_VINTF_is_disabled()
    {
        using var bed = new CmdqvTestBed();
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 0, vintf: 0, lidx: 0);
        bed.Cmdqv.Write32(CmdqvRegister.CONFIG, 0);
        bed.Submit(0, 0, Command.TlbiNsnhAll());
        Assert.Equal(0u, bed.Cons(0, 0));

        // Consumption resumes on the next PROD write once everything is enabled again.
        bed.Cmdqv.Write32(CmdqvRegister.CONFIG, 1);
        bed.Submit(0, 0, Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(2u, bed.Cons(0, 0));
    }
}
