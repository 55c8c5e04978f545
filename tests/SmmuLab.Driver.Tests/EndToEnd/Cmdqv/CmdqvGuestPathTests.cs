using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Cmdqv;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Translation;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd.Cmdqv;

/// <summary>
/// The VM path: the host allocates a VINTF per VM with its VMID and StreamIDs, the VMM allocates the
/// guest's queue on its ring, and the guest writes commands through its VINTF page 0.
/// </summary>
public class CmdqvGuestPathTests
{
    private const ushort VmidA = 10;
    private const ushort VmidB = 20;

    private sealed class Vm(CmdqvUserVintf vintf, GuestVcmdq queue) : IDisposable
    {
        public CmdqvUserVintf Vintf { get; } = vintf;

        public GuestVcmdq Queue { get; } = queue;

        public void Dispose()
        {
            Vintf.Dispose();
            Queue.Dispose();
        }
    }

    /// <summary>The VMM's part: a VINTF with a VMID and SID mappings, then the guest's queue lidx 0, enabled by the guest.</summary>
    private static Vm StartVm(DriverMachine m, CmdqvNode cmdqv, ushort vmid, params (uint Virtual, uint Physical)[] sids)
    {
        var vintf = cmdqv.Driver!.AllocateUserVintf(vmid);
        foreach (var (v, p) in sids)
        {
            vintf.AddStream(v, p);
        }

        var queue = new GuestVcmdq(vintf.Page0, m.Memory, m.Allocator, lidx: 0);
        vintf.AllocateQueue(0, queue.BaseAddress, queue.Log2Entries);
        queue.Enable();
        return new Vm(vintf, queue);
    }

    private static void InsertTlb(DriverMachine m, ushort vmid, ushort asid, ulong va) =>
        m.Smmu("smmu0").Device.Tlb.Insert(TranslationContext.Stage1Nh(vmid, asid), Granule.Size4K, va,
            WalkResult.Translated(va + 0x1000_0000, 12, 3, Permissions.All, false));

    private static bool TlbHolds(DriverMachine m, ushort vmid, ushort asid, ulong va) =>
        m.Smmu("smmu0").Device.Tlb.TryLookup(TranslationContext.Stage1Nh(vmid, asid), va, out _);

    [Fact]
    public void Guest_invalidates_only_its_own_VMID_and_streams()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        var devA = m.AddDevice("devA", "smmu0", [0x100], ats: true);
        var devB = m.AddDevice("devB", "smmu0", [0x200], ats: true);
        using var vmA = StartVm(m, cmdqv, VmidA, (0x1, 0x100));
        using var vmB = StartVm(m, cmdqv, VmidB, (0x1, 0x200));
        InsertTlb(m, VmidA, 3, 0x8000);
        InsertTlb(m, VmidB, 3, 0x8000);

        // VM A's guest names VM B's VMID and its own virtual StreamID 1.
        vmA.Queue.Queue.IssueCommands([Command.TlbiNhAsid(VmidB, 3), Command.AtcInv(0x1, 0, ssv: false, 0, CommandLayouts.AtcInvSizeAll)], sync: true);

        Assert.False(TlbHolds(m, VmidA, 3, 0x8000));
        Assert.True(TlbHolds(m, VmidB, 3, 0x8000));
        Assert.Equal(1, devA.Endpoint.AtcInvalidationsReceived);
        Assert.Equal(0, devB.Endpoint.AtcInvalidationsReceived);
        var q = cmdqv.Device.GlobalIndexOf(vmA.Vintf.Index, 0);
        Assert.Equal(1, cmdqv.Device.QueueStatistics(q).VmidsReplaced);
        Assert.Equal(1, cmdqv.Device.QueueStatistics(q).SidsReplaced);
    }

    [Fact]
    public void Guest_naming_a_stream_it_does_not_own_errors_its_queue_only()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        var devB = m.AddDevice("devB", "smmu0", [0x200], ats: true);
        using var vmA = StartVm(m, cmdqv, VmidA, (0x1, 0x100));
        var reported = new List<(int Vintf, ulong Map)>();
        cmdqv.Driver!.UserVintfError += (v, lo, _) => reported.Add((v, lo));

        vmA.Queue.Queue.IssueCommand(Command.AtcInv(0x200, 0, ssv: false, 0, CommandLayouts.AtcInvSizeAll));

        Assert.Equal(0, devB.Endpoint.AtcInvalidationsReceived);
        Assert.Equal(VcmdqError.ILL_ACCESS, (VcmdqError)VcmdqPointer.ERR.Get(vmA.Queue.ReadCons()));
        Assert.Equal([(vmA.Vintf.Index, 1UL)], reported);
    }

    [Fact]
    public void Illegal_guest_command_stops_that_queue_while_the_host_keeps_going()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        var nic = m.AddDevice("nic", "smmu0", [0x40], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1);
        nic.Master.Attach(dom);
        using var vmA = StartVm(m, cmdqv, VmidA);
        using var vmB = StartVm(m, cmdqv, VmidB);
        var errorsSeenByVmA = 0;
        vmA.Vintf.ErrorReported += (_, _) => errorsSeenByVmA++;

        // A misbehaving guest writes CFGI_ALL straight into its queue (no filter stops it there).
        vmA.Queue.Queue.IssueCommand(Command.CfgiAll());
        var qA = cmdqv.Device.GlobalIndexOf(vmA.Vintf.Index, 0);
        Assert.True(cmdqv.Device.QueueInError(qA));
        Assert.Equal(VcmdqError.ILL_OPCODE, (VcmdqError)VcmdqPointer.ERR.Get(vmA.Queue.ReadCons()));
        Assert.Equal(1, errorsSeenByVmA);

        // The host's VCMDQs, VM B's queue and the SMMU's CMDQ are unaffected.
        dom.Map(0x10000, 0x1_0000_0000, 0x1000, IommuProt.Read | IommuProt.Write);
        Assert.Equal(0x1000UL, dom.Unmap(0x10000, 0x1000));
        vmB.Queue.Queue.IssueCommands([Command.TlbiNhAsid(0, 1)], sync: true);
        Assert.Equal(0u, m.Smmu("smmu0").Device.Read32(SmmuRegister.GERROR));
        Assert.Equal(0, cmdqv.Driver!.KernelQueueErrors);
        Assert.Equal(1u << vmA.Vintf.Index, cmdqv.Device.Read32(CmdqvRegister.VINTF_ERR_MAP));

        // The guest recovers its own queue: the bad command becomes a CMD_SYNC.
        Assert.Equal(VcmdqError.ILL_OPCODE, vmA.Queue.HandleError());
        Assert.False(cmdqv.Device.QueueInError(qA));
        vmA.Queue.Queue.IssueCommands([Command.TlbiNhAsid(0, 1)], sync: true);
        Assert.Equal(0, cmdqv.Device.QueueStatistics(qA).Commands(Opcode.CMD_CFGI_STE_RANGE));
    }

    [Fact]
    public void Guest_queues_are_allocated_upwards_and_destroyed_downwards()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        using var vintf = cmdqv.Driver!.AllocateUserVintf(VmidA);
        using var q0 = new GuestVcmdq(vintf.Page0, m.Memory, m.Allocator, lidx: 0);
        using var q1 = new GuestVcmdq(vintf.Page0, m.Memory, m.Allocator, lidx: 1);

        Assert.Throws<InvalidOperationException>(() => vintf.AllocateQueue(1, q1.BaseAddress, q1.Log2Entries));
        vintf.AllocateQueue(0, q0.BaseAddress, q0.Log2Entries);
        Assert.Throws<InvalidOperationException>(() => vintf.AllocateQueue(0, q0.BaseAddress, q0.Log2Entries));
        vintf.AllocateQueue(1, q1.BaseAddress, q1.Log2Entries);
        Assert.Throws<ArgumentOutOfRangeException>(() => vintf.AllocateQueue(2, q1.BaseAddress + 16, q1.Log2Entries));
        Assert.Throws<InvalidOperationException>(() => vintf.DestroyQueue(0));

        // The host wrote only BASE: the guest enables its queues itself.
        Assert.Equal(0u, vintf.Page0.Read32(CmdqvRegister.VCMDQ_STATUS));
        q0.Enable();
        q1.Enable();
        q1.Queue.IssueCommands([Command.TlbiNhAsid(0, 1)], sync: true);

        vintf.DestroyQueue(1);
        vintf.DestroyQueue(0);
        Assert.Equal(0, cmdqv.Device.AllocationOrderViolations);
    }

    [Fact]
    public void Every_user_VINTF_can_be_taken_and_returned()
    {
        using var m = CmdqvMachine.Build(out var cmdqv);
        var driver = cmdqv.Driver!;
        var vms = Enumerable.Range(0, driver.NumVintfs - 1).Select(i => driver.AllocateUserVintf((ushort)(i + 1))).ToList();
        Assert.Equal([1, 2, 3], vms.Select(v => v.Index));
        Assert.Throws<InvalidOperationException>(() => driver.AllocateUserVintf(99));
        vms[1].Dispose();
        using var again = driver.AllocateUserVintf(42);
        Assert.Equal(2, again.Index);
        Assert.Equal(42UL, VintfConfig.VMID.Get(cmdqv.Device.Read32(CmdqvRegister.VintfConfig(2))));
        Assert.Equal(0UL, VintfConfig.HYP_OWN.Get(cmdqv.Device.Read32(CmdqvRegister.VintfConfig(2))));
    }
}
