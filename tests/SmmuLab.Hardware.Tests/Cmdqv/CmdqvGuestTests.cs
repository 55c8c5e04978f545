using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Tests.Cmdqv;

/// <summary>
/// A guest-owned VINTF (HYP_OWN = 0): only TLBI_NH_ASID, TLBI_NH_VA and ATC_INV (and CMD_SYNC with
/// CS = NONE) run; TLBIs get the VINTF's VMID; ATC_INV StreamIDs are translated through SID_MATCH.
/// VM A owns VINTF 1 (VMID 1, VCMDQ 4); VM B owns VINTF 2 (VMID 2, VCMDQ 8).
/// </summary>
public class CmdqvGuestTests
{
    private const ushort VmidA = 1;
    private const ushort VmidB = 2;

    private static CmdqvTestBed TwoVms()
    {
        var bed = new CmdqvTestBed();
        bed.EnableVintf(1, VmidA, hypOwn: false);
        bed.MapQueue(vcmdq: 4, vintf: 1, lidx: 0);
        bed.EnableVintf(2, VmidB, hypOwn: false);
        bed.MapQueue(vcmdq: 8, vintf: 2, lidx: 0);
        return bed;
    }

    [Fact]
    public void Guest_TLBI_gets_the_VINTF_VMID_and_cannot_reach_another_vm()
    {
        using var bed = TwoVms();
        bed.InsertTlbEntry(VmidA, asid: 5, va: 0x10000);
        bed.InsertTlbEntry(VmidB, asid: 5, va: 0x10000);
        bed.InsertTlbEntry(VmidB, asid: 5, va: 0x20000);

        // VM A names VM B's VMID in both TLBIs: the hardware puts VM A's in their place.
        bed.Submit(1, 0, Command.TlbiNhAsid(VmidB, 5),
            Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, VmidB, 5, 0x20000, leaf: true), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.False(bed.TlbHolds(VmidA, 5, 0x10000));
        Assert.True(bed.TlbHolds(VmidB, 5, 0x10000));
        Assert.True(bed.TlbHolds(VmidB, 5, 0x20000));
        Assert.Equal(2, bed.Cmdqv.QueueStatistics(4).VmidsReplaced);
        Assert.False(bed.Cmdqv.QueueInError(4));
    }

    [Fact]
    public void Guest_ATC_inv_is_translated_to_the_owned_physical_SID()
    {
        using var bed = TwoVms();
        var devA = bed.Connect("devA", 0x100);
        var devB = bed.Connect("devB", 0x200);
        bed.MapSid(1, slot: 0, virtualSid: 0x5, physicalSid: 0x100);
        bed.MapSid(2, slot: 0, virtualSid: 0x5, physicalSid: 0x200);

        bed.Submit(1, 0, Command.AtcInv(0x5, 0, ssv: false, 0, CommandLayouts.AtcInvSizeAll), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal(1, devA.AtcInvalidationsReceived);
        Assert.Equal(0, devB.AtcInvalidationsReceived);
        Assert.Equal(1, bed.Cmdqv.QueueStatistics(4).SidsReplaced);
    }

    [Fact]
    public void Guest_cannot_name_a_stream_id_it_does_not_own()
    {
        using var bed = TwoVms();
        var devB = bed.Connect("devB", 0x200);
        bed.MapSid(1, slot: 0, virtualSid: 0x5, physicalSid: 0x100);
        bed.MapSid(2, slot: 0, virtualSid: 0x5, physicalSid: 0x200);

        // VM A names VM B's physical StreamID: no SID_MATCH entry of VINTF 1 matches it.
        bed.Submit(1, 0, Command.AtcInv(0x200, 0, ssv: false, 0, CommandLayouts.AtcInvSizeAll), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal(0, devB.AtcInvalidationsReceived);
        Assert.True(bed.Cmdqv.QueueInError(4));
        Assert.Equal((ulong)VcmdqError.ILL_ACCESS, VcmdqPointer.ERR.Get(bed.Cons(1, 0)));
        Assert.Equal(0UL, VcmdqPointer.INDEX.Get(bed.Cons(1, 0)));
    }

    [Theory]
    [InlineData(Opcode.CMD_CFGI_STE_RANGE)]
    [InlineData(Opcode.CMD_TLBI_NH_ALL)]
    [InlineData(Opcode.CMD_TLBI_S12_VMALL)]
    [InlineData(Opcode.CMD_TLBI_NSNH_ALL)]
    [InlineData(Opcode.CMD_PREFETCH_CONFIG)]
    public void Illegal_command_on_a_guest_queue_stops_that_queue_only(Opcode op)
    {
        using var bed = TwoVms();
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 0, vintf: 0, lidx: 0);
        var illegal = op switch
        {
            Opcode.CMD_CFGI_STE_RANGE => Command.CfgiAll(),
            Opcode.CMD_TLBI_NH_ALL => Command.TlbiNhAll(VmidB),
            Opcode.CMD_TLBI_S12_VMALL => Command.TlbiS12Vmall(VmidB),
            Opcode.CMD_TLBI_NSNH_ALL => Command.TlbiNsnhAll(),
            _ => Command.PrefetchConfig(0x200),
        };
        bed.InsertTlbEntry(VmidB, asid: 5, va: 0x10000);

        bed.Submit(1, 0, Command.TlbiNhAsid(0, 7), illegal, Command.Sync(SyncCompletion.SIG_NONE));

        // VM A's queue stopped on the illegal command, after executing the one before it.
        Assert.True(bed.Cmdqv.QueueInError(4));
        Assert.Equal((ulong)VcmdqError.ILL_OPCODE, VcmdqPointer.ERR.Get(bed.Cons(1, 0)));
        Assert.Equal(1UL, VcmdqPointer.INDEX.Get(bed.Cons(1, 0)));
        Assert.Equal(VcmdqGError.CMDQ_ERR, bed.Cmdqv.Read32(CmdqvRegister.LvcmdqPage0Register(1, 0, CmdqvRegister.VCMDQ_GERROR)));
        Assert.True(bed.TlbHolds(VmidB, 5, 0x10000));
        Assert.Equal(1, bed.Interrupts);

        // The error maps name exactly that queue and VINTF.
        Assert.Equal(1u << 4, bed.Cmdqv.Read32(CmdqvRegister.CmdqErrMap(0)));
        Assert.Equal(1u << 1, bed.Cmdqv.Read32(CmdqvRegister.VINTF_ERR_MAP));
        Assert.Equal(1UL, bed.Cmdqv.Read64(CmdqvRegister.VintfLvcmdqErrMap(1, 0)));
        Assert.Equal(1UL, VintfStatus.STATUS.Get(bed.Cmdqv.Read32(CmdqvRegister.VintfStatus(1))));

        // VM B's queue, the host's queue and the SMMU's own CMDQ keep running.
        bed.Submit(2, 0, Command.TlbiNhAsid(0, 5), Command.Sync(SyncCompletion.SIG_NONE));
        Assert.False(bed.TlbHolds(VmidB, 5, 0x10000));
        bed.Submit(0, 0, Command.CfgiAll(), Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(2u, bed.Cons(0, 0));
        Assert.Equal(0u, bed.Smmu.Read32(SmmuRegister.GERROR));
        Assert.False(bed.Cmdqv.QueueInError(8));
        Assert.False(bed.Cmdqv.QueueInError(0));
    }

    [Fact]
    public void Guest_recovers_by_replacing_the_command_and_acknowledging()
    {
        using var bed = TwoVms();
        bed.Submit(1, 0, Command.CfgiAll(), Command.Sync(SyncCompletion.SIG_NONE));
        Assert.True(bed.Cmdqv.QueueInError(4));

        // The guest driver's recovery: put a CMD_SYNC in the bad slot, then GERRORN = GERROR.
        var slot = CmdqvTestBed.RingOf(4);
        var sync = Command.Sync(SyncCompletion.SIG_NONE);
        sync.WriteTo(bed.Memory, slot);
        var gerror = bed.Cmdqv.Read32(CmdqvRegister.LvcmdqPage0Register(1, 0, CmdqvRegister.VCMDQ_GERROR));
        bed.Cmdqv.Write32(CmdqvRegister.LvcmdqPage0Register(1, 0, CmdqvRegister.VCMDQ_GERRORN), gerror);

        Assert.False(bed.Cmdqv.QueueInError(4));
        Assert.Equal(2u, bed.Cons(1, 0));
        Assert.Equal(0u, bed.Cmdqv.Read32(CmdqvRegister.VINTF_ERR_MAP));
    }

    [Fact]
    public void SYNC_must_not_ask_for_an_interrupt_or_an_event()
    {
        using var bed = TwoVms();
        bed.EnableVintf(0, vmid: 0, hypOwn: true);
        bed.MapQueue(vcmdq: 0, vintf: 0, lidx: 0);
        bed.Submit(0, 0, Command.Sync(SyncCompletion.SIG_SEV));
        Assert.True(bed.Cmdqv.QueueInError(0));
        Assert.Equal((ulong)VcmdqError.ILL_OPCODE, VcmdqPointer.ERR.Get(bed.Cons(0, 0)));
    }

    [Fact]
    public void Masked_VINTF_raises_no_interrupt()
    {
        using var bed = TwoVms();
        bed.Cmdqv.Write32(CmdqvRegister.VINTF_INT_MASK, 1u << 1);
        bed.Submit(1, 0, Command.TlbiNsnhAll());
        Assert.True(bed.Cmdqv.QueueInError(4));
        Assert.Equal(0, bed.Interrupts);
    }
}
