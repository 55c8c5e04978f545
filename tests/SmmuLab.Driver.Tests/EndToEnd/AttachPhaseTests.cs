using System.Diagnostics;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>
/// The attach order (publish, STE/CD install, ATS, unref, last-detach flush, purge) and the attach
/// lock are asserted in Debug builds: driving the design's steps out of order, or without the lock,
/// trips the assertion instead of silently losing an invalidation.
/// </summary>
[Collection(nameof(DebugAssertionCollection))]
public class AttachPhaseTests
{
    [Fact]
    public void A_plan_advances_only_from_the_step_just_before()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("nic", "smmu0", [0x20]);
        var plan = new AttachPlan(dev.Master, 0, null, false, null, false);
        plan.Advance(AttachPhase.Prepared, AttachPhase.Published);
        plan.Advance(AttachPhase.Published, AttachPhase.Installed);
        Assert.Equal(AttachPhase.Installed, plan.Phase);
        AssertTrips("step Purged after Installed; it must follow AtsUpdated", () => plan.Advance(AttachPhase.AtsUpdated, AttachPhase.Purged));
    }

    [Fact]
    public void Committing_an_attach_before_its_STE_install_trips_the_phase_assertion()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("nic", "smmu0", [0x20]);
        var domain = m.Iommu.AllocPaging("s1", DomainKind.S1, pinnedTag: 5, smmu: dev.Master.Smmu);
        lock (m.Iommu.AttachLock)
        {
            var plan = m.Iommu.Design.Prepare(dev.Master, 0, domain, false, null, false);
            m.Iommu.Design.InstallNew(plan);
            plan.Advance(AttachPhase.Prepared, AttachPhase.Published);

            // Skips the STE/CD install and the ATS update: the unref would run too early.
            AssertTrips("must follow AtsUpdated", () => m.Iommu.Design.Commit(plan));
        }
    }

    [Fact]
    public void A_plan_committed_twice_is_refused_and_unrefs_only_once()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("nic", "smmu0", [0x20]);
        var first = m.Iommu.AllocPaging("first", DomainKind.S1, pinnedTag: 5, smmu: dev.Master.Smmu);
        var second = m.Iommu.AllocPaging("second", DomainKind.S1, pinnedTag: 6, smmu: dev.Master.Smmu);
        dev.Master.Attach(first);
        using var assertions = new ThrowingAssertions();
        lock (m.Iommu.AttachLock)
        {
            var plan = m.Iommu.Design.Prepare(dev.Master, 0, second, false, first, false);
            m.Iommu.Design.InstallNew(plan);
            plan.Advance(AttachPhase.Prepared, AttachPhase.Published);
            plan.Advance(AttachPhase.Published, AttachPhase.Installed);
            plan.Advance(AttachPhase.Installed, AttachPhase.AtsUpdated);
            m.Iommu.Design.Commit(plan);

            var e = Assert.Throws<InvalidOperationException>(() => m.Iommu.Design.Commit(plan));

            Assert.Contains("committed twice", e.Message, StringComparison.Ordinal);
        }

        Assert.Empty(assertions.Failures);
    }

    [Fact]
    public void Preparing_an_attach_without_the_attach_lock_trips_the_lock_assertion()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("nic", "smmu0", [0x20]);
        var domain = m.Iommu.AllocPaging("s1", DomainKind.S1, pinnedTag: 5, smmu: dev.Master.Smmu);
        AssertTrips("attach lock", () => m.Iommu.Design.Prepare(dev.Master, 0, domain, false, null, false));
    }

    [Fact]
    public void Attaches_in_the_driver_order_pass_every_assertion()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var dev = m.AddDevice("nic", "smmu0", [0x20], ats: true);
        var s1 = m.Iommu.AllocPaging("s1", DomainKind.S1, pinnedTag: 5);
        using var assertions = new ThrowingAssertions();
        dev.Master.Attach(s1);
        dev.Master.Attach(IdentityDomain.Instance);
        dev.Master.Detach();
        Assert.Empty(assertions.Failures);
    }

    /// <summary>Runs <paramref name="action"/> expecting a Debug assertion containing <paramref name="text"/> (Debug builds only).</summary>
    private static void AssertTrips(string text, Action action)
    {
#if DEBUG
        using var assertions = new ThrowingAssertions();
        var e = Assert.Throws<DebugAssertionException>(action);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
#else
        _ = text;
        _ = action;
        Assert.Skip("Debug.Assert is compiled out of Release builds");
#endif
    }
}

/// <summary>Tests that swap the process's trace listeners run one at a time.</summary>
[CollectionDefinition(nameof(DebugAssertionCollection), DisableParallelization = true)]
public sealed class DebugAssertionCollection;

/// <summary>A failed <see cref="Debug.Assert(bool, string)"/>, thrown by <see cref="ThrowingAssertions"/>.</summary>
public sealed class DebugAssertionException(string message) : Exception(message);

/// <summary>
/// While alive, a failed Debug assertion throws <see cref="DebugAssertionException"/> (and is
/// recorded) instead of ending the process; the previous trace listeners come back on dispose.
/// </summary>
public sealed class ThrowingAssertions : IDisposable
{
    private readonly TraceListener[] saved;
    private readonly Listener listener = new();

    public ThrowingAssertions()
    {
        saved = [.. Trace.Listeners.Cast<TraceListener>()];
        Trace.Listeners.Clear();
        Trace.Listeners.Add(listener);
    }

    public IReadOnlyList<string> Failures => listener.Failures;

    public void Dispose()
    {
        Trace.Listeners.Clear();
        Trace.Listeners.AddRange(saved);
    }

    private sealed class Listener : TraceListener
    {
        public List<string> Failures { get; } = [];

        public override void Fail(string? message, string? detailMessage)
        {
            Failures.Add(message ?? string.Empty);
            throw new DebugAssertionException(message ?? string.Empty);
        }

        public override void Write(string? message)
        {
        }

        public override void WriteLine(string? message)
        {
        }
    }
}
