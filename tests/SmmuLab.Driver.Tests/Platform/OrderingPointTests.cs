using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Platform;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.Platform;

/// <summary>
/// The ordering points a concurrency tester interleaves at (<see cref="Waiter.At"/>): where the
/// driver reports them, in which order, and that the plain waiter never calls the hook.
/// </summary>
public class OrderingPointTests
{
    [Fact]
    public void A_waiter_that_does_not_interleave_is_never_told_a_point()
    {
        var quiet = new RecordingWaiter(interleaves: false);
        quiet.At(OrderingPoint.ArrayPublish);
        Assert.Empty(quiet.Points);

        var told = new RecordingWaiter(interleaves: true);
        told.At(OrderingPoint.ArrayPublish);
        Assert.Equal([OrderingPoint.ArrayPublish], told.Points);
    }

    [Fact]
    public void Attach_publishes_before_the_STE_install_and_detach_unrefs_after_it()
    {
        var w = new RecordingWaiter(interleaves: true);
        using var m = new DriverMachine(new LinuxInvalidation(new InvalidationArrayAllocator(w)), waiter: w);
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("nic", "smmu0", [1], ats: true);
        var d = m.Iommu.AllocPaging("d", DomainKind.S1);

        w.Points.Clear();
        dev.Master.Attach(d);
        var attach = w.Attach();
        Assert.Equal([OrderingPoint.ArrayPublish, OrderingPoint.SteInstall, OrderingPoint.SteInstalled], attach);

        w.Points.Clear();
        dev.Master.Detach();
        var detach = w.Attach();

        // Unref: one point per entry removed (the ASID, the ATC entry of StreamID 1), one before the count store.
        Assert.Equal([OrderingPoint.AtsDisable, OrderingPoint.SteInstall, OrderingPoint.SteInstalled, OrderingPoint.Unref, OrderingPoint.Unref, OrderingPoint.Unref], detach);
    }

    [Fact]
    public void An_invalidation_loads_the_array_then_walks_its_entries()
    {
        var w = new RecordingWaiter(interleaves: true);
        using var m = new DriverMachine(new LinuxInvalidation(new InvalidationArrayAllocator(w)), waiter: w);
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("nic", "smmu0", [1, 2], ats: true);
        var d = m.Iommu.AllocPaging("d", DomainKind.S1);
        dev.Master.Attach(d);

        w.Points.Clear();
        d.InvalidateRange(0x1000, 0x1000, 0x1000, leaf: true);
        var reader = w.Points.Where(p => p is OrderingPoint.ArrayLoad or OrderingPoint.ArrayEntry).ToArray();

        // The load, the fence (the array has ATC entries), then one point per entry: ASID, ATC 1, ATC 2.
        Assert.Equal([OrderingPoint.ArrayLoad, OrderingPoint.ArrayEntry, OrderingPoint.ArrayEntry, OrderingPoint.ArrayEntry, OrderingPoint.ArrayEntry], reader);
    }

    [Fact]
    public void A_lone_producer_is_the_owner_and_reports_every_step_in_order()
    {
        var w = new RecordingWaiter(interleaves: true);
        using var m = new DriverMachine(new LinuxInvalidation(), waiter: w);
        var s0 = m.AddSmmu("smmu0");

        w.Points.Clear();
        s0.Driver.Cmdq.IssueCommandWithSync(Command.TlbiNhAsid(0, 1));

        Assert.Equal(
            [
                OrderingPoint.CmdqReserve, OrderingPoint.CmdqWrite, OrderingPoint.CmdqMarkValid, OrderingPoint.CmdqOwnerClose,
                OrderingPoint.CmdqPublish, OrderingPoint.CmdqHandover, OrderingPoint.CmdqSyncRelease,
            ],
            w.Points);
    }

    private sealed class RecordingWaiter(bool interleaves) : Waiter(interleaves)
    {
        public List<OrderingPoint> Points { get; } = [];

        /// <summary>The attach's own points (the command queue's are left out).</summary>
        public OrderingPoint[] Attach() =>
            [.. Points.Where(p => p is OrderingPoint.ArrayPublish or OrderingPoint.SteInstall or OrderingPoint.SteInstalled or OrderingPoint.AtsDisable or OrderingPoint.Unref)];

        protected override void Interleave(OrderingPoint point) => Points.Add(point);
    }
}
