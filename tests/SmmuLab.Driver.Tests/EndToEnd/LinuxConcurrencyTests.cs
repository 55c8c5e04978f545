using System.Collections.Concurrent;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation.Linux;
using SmmuLab.Driver.Masters;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Driver.Tests.EndToEnd;

/// <summary>The Linux design's read path under concurrent attaches, its fence, and its allocations.</summary>
public class LinuxConcurrencyTests
{
    private const ulong Buffer = 0x1_0000_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write | IommuProt.Cache;

    [Fact]
    public void Invalidations_race_attaches_and_detaches()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        var s0 = m.AddSmmu("smmu0");
        m.AddSmmu("smmu1");
        var devs = new[]
        {
            m.AddDevice("d0", "smmu0", [1, 2], ats: true),
            m.AddDevice("d1", "smmu0", [3]),
            m.AddDevice("d2", "smmu1", [4], ats: true),
            m.AddDevice("d3", "smmu1", [5, 6]),
        };
        var dom = m.Iommu.AllocPaging("dom", DomainKind.S1, pinnedTag: 5, smmu: s0.Driver);
        var other = m.Iommu.AllocPaging("other", DomainKind.S1, pinnedTag: 6, smmu: s0.Driver);
        var s2 = m.Iommu.AllocPaging("s2", DomainKind.S2, pinnedTag: 7, smmu: s0.Driver);
        IommuDomain[] targets = [dom, other, s2, BlockedDomain.Instance, IdentityDomain.Instance];
        var errors = new ConcurrentQueue<Exception>();
        var stop = 0;
        var calls = 0L;
        const int Attaches = 400;

        var attachers = Enumerable.Range(0, 2).Select(t => new Thread(() => Guard(errors, () =>
        {
            var rng = new Random(t);

            // Start once the invalidators are running, so that the two overlap.
            SpinWait.SpinUntil(() => Interlocked.Read(ref calls) >= 2, TimeSpan.FromSeconds(30));
            for (var i = 0; i < Attaches; i++)
            {
                devs[(2 * t) + rng.Next(2)].Master.Attach(targets[rng.Next(targets.Length)]);
            }
        }))).ToArray();

        var invalidators = Enumerable.Range(0, 2).Select(t => new Thread(() => Guard(errors, () =>
        {
            var rng = new Random(100 + t);
            var iova = 0x100_0000UL * (ulong)(t + 1);
            while (Volatile.Read(ref stop) == 0)
            {
                switch (rng.Next(3))
                {
                    case 0:
                        dom.InvalidateRange((ulong)rng.Next(1 << 20) << 12, (ulong)(1 + rng.Next(64)) << 12, 0x1000, leaf: rng.Next(2) == 0);
                        break;
                    case 1:
                        dom.Map(iova, Buffer, 0x4000, Rw);
                        dom.Unmap(iova, 0x4000);
                        break;
                    default:
                        dom.FlushAll();
                        s2.InvalidateRange(0, 0x20_0000, 0x1000, leaf: false);
                        break;
                }

                Interlocked.Increment(ref calls);
            }
        }))).ToArray();

        foreach (var th in invalidators.Concat(attachers))
        {
            th.IsBackground = true;
            th.Start();
        }

        foreach (var th in attachers)
        {
            Assert.True(th.Join(TimeSpan.FromMinutes(2)), "an attacher did not finish (deadlock?)");
        }

        Volatile.Write(ref stop, 1);
        foreach (var th in invalidators)
        {
            Assert.True(th.Join(TimeSpan.FromMinutes(2)), "an invalidator did not finish (deadlock?)");
        }

        Assert.Empty(errors);
        Assert.True(Interlocked.Read(ref calls) > 2);
        foreach (var d in new InvalidationDomain[] { dom, other, s2 })
        {
            Assert.Equal(Expected(d, devs.Select(x => x.Master)), Actual(d));
            Assert.Equal(0, LinuxInvalidation.ArrayOf(d).Warnings);
        }
    }

    [Fact]
    public void Readers_never_wait_without_ATC_entries()
    {
        using var m = new DriverMachine(new LinuxInvalidation());
        m.AddSmmu("smmu0");
        var plain = m.AddDevice("plain", "smmu0", [1]);
        var ats = m.AddDevice("ats", "smmu0", [2], ats: true);
        var d1 = m.Iommu.AllocPaging("d1", DomainKind.S1);
        var d2 = m.Iommu.AllocPaging("d2", DomainKind.S1);
        plain.Master.Attach(d1);
        ats.Master.Attach(d2);

        // A writer holds the fence of each array: only the array with ATC entries makes readers wait.
        var noAts = LinuxInvalidation.ArrayOf(d1);
        Assert.False(noAts.HasAts);
        noAts.Fence.EnterWrite();
        try
        {
            var t = Run(() => d1.InvalidateRange(0x1000, 0x1000, 0x1000, leaf: true));
            Assert.True(t.Join(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            noAts.Fence.ExitWrite();
        }

        var withAts = LinuxInvalidation.ArrayOf(d2);
        Assert.True(withAts.HasAts);
        withAts.Fence.EnterWrite();
        Thread blocked;
        try
        {
            blocked = Run(() => d2.InvalidateRange(0x1000, 0x1000, 0x1000, leaf: true));
            Assert.False(blocked.Join(300));
        }
        finally
        {
            withAts.Fence.ExitWrite();
        }

        Assert.True(blocked.Join(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void Invalidate_range_allocates_nothing(ConsumptionMode mode)
    {
        var design = new LinuxInvalidation();
        using var m = new DriverMachine(design);
        var s0 = m.AddSmmu("smmu0", mode: mode);
        m.AddSmmu("smmu1", mode: mode);
        var a = m.AddDevice("a", "smmu0", [1, 2], ats: true);
        var b = m.AddDevice("b", "smmu1", [3], ats: true);
        var c = m.AddDevice("c", "smmu0", [4], ats: true);
        var s1 = m.Iommu.AllocPaging("s1", DomainKind.S1, smmu: s0.Driver);
        var np = m.Iommu.AllocPaging("np", DomainKind.NestParent, smmu: s0.Driver);
        a.Master.Attach(s1);
        b.Master.Attach(s1);
        c.Master.Attach(np);

        void Calls()
        {
            design.InvalidateRange(s1, 0x10000, 0x23000, 0x1000, leaf: true);
            design.InvalidateRange(s1, 0x10000, 0x1000, 0x1000, leaf: false);
            design.InvalidateRange(s1, 0, 0, 0, leaf: false);
            design.InvalidateRange(np, 0x4000, 0x2000, 0x1000, leaf: true);
            design.InvalidateRange(np, 0, 0, 0, leaf: false);
        }

        for (var i = 0; i < 20; i++)
        {
            Calls();
        }

        var atcBefore = (a.Endpoint.AtcInvalidationsReceived, b.Endpoint.AtcInvalidationsReceived, c.Endpoint.AtcInvalidationsReceived);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Calls();
        }

        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, bytes);

        // What the calls did: each of the 3 invalidations of s1 reached a's two StreamIDs and b on
        // the other SMMU, each of the 2 of np reached c: 100 rounds.
        Assert.Equal((600L, 300L, 200L), (a.Endpoint.AtcInvalidationsReceived - atcBefore.Item1,
            b.Endpoint.AtcInvalidationsReceived - atcBefore.Item2, c.Endpoint.AtcInvalidationsReceived - atcBefore.Item3));
    }

    private static Thread Run(Action a)
    {
        var t = new Thread(() => a()) { IsBackground = true };
        t.Start();
        return t;
    }

    private static void Guard(ConcurrentQueue<Exception> errors, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            errors.Enqueue(e);
        }
    }

    /// <summary>What the array must hold given where every master's RID is attached now.</summary>
    private static string[] Expected(InvalidationDomain d, IEnumerable<Master> masters)
    {
        var users = new SortedDictionary<(int, InvalidationType, uint, uint), int>();
        foreach (var master in masters.Where(x => ReferenceEquals(x.Domain, d)))
        {
            Add((master.Iommu.OrdinalOf(master.Smmu), d.IsStage1 ? InvalidationType.S1Asid : InvalidationType.S2Vmid, d.Tag, 0));
            if (master.AtsEnabled)
            {
                foreach (var sid in master.StreamIds)
                {
                    Add((master.Iommu.OrdinalOf(master.Smmu), InvalidationType.Ats, sid, 0));
                }
            }
        }

        return [.. users.Select(kv => $"{kv.Key} x{kv.Value}")];

        void Add((int, InvalidationType, uint, uint) key) => users[key] = users.TryGetValue(key, out var n) ? n + 1 : 1;
    }

    private static string[] Actual(InvalidationDomain d) =>
        [.. LinuxInvalidation.ArrayOf(d).Snapshot().Where(e => e.Users > 0)
            .Select(e => $"{(e.SmmuOrdinal, e.Type, e.Id, e.Type.IsAts() ? e.Ssid : 0u)} x{e.Users}")];
}
