using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Driver.Platform;
using SmmuLab.Hardware.Observation;
using SmmuLab.Machines;

namespace SmmuLab.Concurrency.Tests.Controls;

/// <summary>
/// Deterministic checks of an invalidation design on a whole machine (one thread, no Coyote): each
/// passes for the real designs (<see cref="NegativeControlTests"/>) and fails, by an assertion, for
/// the negative controls listed against it in <see cref="NegativeControls"/>.
/// </summary>
public static class InvalidationChecks
{
    private const ulong Iova = 0x10000;
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    /// <summary>
    /// An ATS endpoint and a plain one share a stage-1 domain; both read a page (filling the ATC
    /// and the IOTLB), the page is unmapped, and both reads must then fault.
    /// </summary>
    public static void Unmapped_page_faults_for_ATS_and_plain_masters(IInvalidationDesign design)
    {
        using var m = new DriverMachine(design);
        m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x20], ats: true);
        var disk = m.AddDevice("disk", "smmu0", [0x30]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        nic.Master.Attach(dom);
        disk.Master.Attach(dom);
        Assert.True(nic.Master.AtsEnabled);
        dom.Map(Iova, Buffer, 0x1000, Rw);
        var page = new byte[0x1000];
        Assert.True(nic.Endpoint.Read(Iova, page).Ok);
        Assert.True(disk.Endpoint.Read(Iova, page).Ok);

        dom.Unmap(Iova, 0x1000);

        Assert.False(nic.Endpoint.Read(Iova, page).Ok, "the ATS endpoint still translates the unmapped page");
        Assert.False(disk.Endpoint.Read(Iova, page).Ok, "the IOTLB still translates the unmapped page");
    }

    /// <summary>
    /// An unmap of an ATS master's domain: a CMD_SYNC is consumed after the last TLBI and before the
    /// first ATC_INV (an ATC must not refill from an IOTLB entry that is still going).
    /// </summary>
    public static void TLBIs_complete_before_the_ATC_INVs(IInvalidationDesign design)
    {
        using var m = new DriverMachine(design);
        var smmu = m.AddSmmu("smmu0");
        var nic = m.AddDevice("nic", "smmu0", [0x21, 0x20], ats: true);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        nic.Master.Attach(dom);
        dom.Map(Iova, Buffer, 0x4000, Rw);
        var stream = new List<Opcode>();
        using (smmu.Device.AddObserver(new DelegateObserver { OnCommand = (_, c) => stream.Add(c.Command.Opcode) }))
        {
            dom.Unmap(Iova, 0x4000);
        }

        var lastTlbi = stream.FindLastIndex(o => o is >= Opcode.CMD_TLBI_NH_ALL and <= Opcode.CMD_TLBI_S2_IPA);
        var firstAtc = stream.IndexOf(Opcode.CMD_ATC_INV);
        Assert.True(lastTlbi >= 0 && firstAtc >= 0, $"expected TLBIs and ATC_INVs: {string.Join(' ', stream)}");
        Assert.True(lastTlbi < firstAtc, $"an ATC_INV before a TLBI: {string.Join(' ', stream)}");
        Assert.Contains(Opcode.CMD_SYNC, stream.GetRange(lastTlbi + 1, firstAtc - lastTlbi - 1));
    }

    /// <summary>
    /// A level-3 table filled page by page is read through (the walk cache keeps the table), then
    /// unmapped whole (the table is freed) and the slot remapped as one 2 MiB block elsewhere: a
    /// read must land in the block, not in the freed table's old page.
    /// </summary>
    public static void Freed_table_is_not_walked_again(IInvalidationDesign design)
    {
        const ulong Slot = 0x20_0000;
        const ulong Block = 0x1_4000_0000;
        using var m = new DriverMachine(design);
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x30]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        dev.Master.Attach(dom);
        for (var p = 0UL; p < 0x20_0000; p += 0x1000)
        {
            dom.Map(Slot + p, Buffer + p, 0x1000, Rw);
        }

        var word = new byte[8];
        Assert.True(dev.Endpoint.Read(Slot + 0x5000, word).Ok);
        dom.Unmap(Slot, 0x20_0000);
        dom.Map(Slot, Block, 0x20_0000, Rw);

        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8];
        Assert.True(dev.Endpoint.Write(Slot + 0x7000, data).Ok, "the write through the new block faulted");
        var back = new byte[8];
        m.Memory.Read(Block + 0x7000, back);
        Assert.Equal(data, back);
    }

    /// <summary>
    /// A master reads a page and detaches (the domain's last user on its SMMU); the page is then
    /// unmapped (the domain's array lists no SMMU) and the master attaches again: the read must fault.
    /// </summary>
    public static void Page_unmapped_while_detached_faults_after_reattach(IInvalidationDesign design)
    {
        using var m = new DriverMachine(design);
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("dev", "smmu0", [0x30]);
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5);
        dev.Master.Attach(dom);
        dom.Map(Iova, Buffer, 0x1000, Rw);
        var page = new byte[0x1000];
        Assert.True(dev.Endpoint.Read(Iova, page).Ok);
        dev.Master.Detach();

        dom.Unmap(Iova, 0x1000);
        dev.Master.Attach(dom);

        Assert.False(dev.Endpoint.Read(Iova, page).Ok, "the IOTLB kept the page across the detach");
    }

    /// <summary>
    /// A too-big invalidation (everything) of a nesting parent with an ATS master: the range loop
    /// visits each of the three entries once (a waiter counts the ATC fence's entry point and the
    /// loop's turns, and stops a loop that does not advance) and sends TLBI_S12_VMALL, a CMD_SYNC, the whole-ATC ATC_INV, a CMD_SYNC.
    /// </summary>
    public static void Too_big_nesting_parent_invalidation_visits_each_entry_once(Func<Waiter, IInvalidationDesign> design)
    {
        var waiter = new TurnCountingWaiter(limit: 1000);
        using var m = new DriverMachine(design(waiter), waiter: waiter);
        var smmu = m.AddSmmu("smmu0");
        var vf = m.AddDevice("vf", "smmu0", [0x50], ats: true);
        var parent = m.Iommu.AllocPaging("vm", DomainKind.NestParent, pinnedTag: 9);
        vf.Master.Attach(parent);
        var stream = new List<Command>();
        waiter.Turns = 0;
        using (smmu.Device.AddObserver(new DelegateObserver { OnCommand = (_, c) => stream.Add(c.Command) }))
        {
            parent.FlushAll();
        }

        Assert.Equal(1 + 3, waiter.Turns);
        Assert.Equal([Opcode.CMD_TLBI_S12_VMALL, Opcode.CMD_SYNC, Opcode.CMD_ATC_INV, Opcode.CMD_SYNC], stream.Select(c => c.Opcode));
        Assert.Equal(9UL, stream[0].Get(CommandLayouts.Vmid));
        Assert.Equal(0x50UL, stream[2].Get(CommandLayouts.Sid));
    }

    /// <summary>Counts the range loop's turns (<see cref="OrderingPoint.ArrayEntry"/>) and fails past a limit.</summary>
    private sealed class TurnCountingWaiter(int limit) : Waiter(interleaves: true)
    {
        public int Turns { get; set; }

        protected override void Interleave(OrderingPoint point)
        {
            if (point == OrderingPoint.ArrayEntry && ++Turns > limit)
            {
                Assert.Fail($"the range loop turned {Turns} times: it does not advance");
            }
        }
    }
}
