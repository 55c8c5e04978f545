using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Machines.Tests.Concurrency;

/// <summary>
/// ATS Translation Requests answered from the TLB without the device lock: the same race as
/// <see cref="LockFreeTranslationTests"/> (a completion asked for after an unmap's CMD_SYNC never
/// names the page it removed), the same totals as the locked path, and the locked path for every
/// answer it alone can give.
/// </summary>
public sealed class LockFreeAtsTests
{
    private const ulong Iova = 0x4000_0000;
    private const ulong PaBase = 0x1_0000_0000;
    private const uint Sid = 0x10;

    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void No_request_started_after_a_completed_unmap_is_granted_the_removed_page(string design)
    {
        using var machine = new DriverMachine(InvalidationDesigns.Create(design));
        var smmu = machine.AddSmmu("smmu0");
        var dev = machine.AddDevice("dev", "smmu0", [Sid], ats: true);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        domain.Map(Iova, PaBase, 4096, IommuProt.Read | IommuProt.Write);

        const int Remaps = 2000;
        long completedUnmaps = 0;
        var stop = false;
        var violations = new List<string>();
        var granted = new long[2];
        var requesters = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                var completed = Volatile.Read(ref completedUnmaps);
                var c = smmu.Device.AtsTranslate(Sid, null, Iova, noWrite: false);
                if (c.Status != AtsStatus.Success || !c.Read)
                {
                    continue; // between an unmap and the next map: nothing granted
                }

                granted[t]++;
                var generation = c.TranslatedAddress < PaBase ? -1 : (long)((c.TranslatedAddress - PaBase) >> 12);
                if (generation < completed || generation > Remaps || !c.Write || c.SizeShift != 12)
                {
                    lock (violations)
                    {
                        violations.Add($"request started after {completed} completed unmaps was granted 0x{c.TranslatedAddress:X} " +
                            $"(generation {generation}, W {c.Write}, size 2^{c.SizeShift})");
                    }
                }
            }
        })
        { IsBackground = true }).ToList();
        requesters.ForEach(t => t.Start());

        for (var g = 0; g < Remaps; g++)
        {
            domain.Unmap(Iova, 4096);
            Volatile.Write(ref completedUnmaps, g + 1);
            domain.Map(Iova, PaBase + ((ulong)(g + 1) << 12), 4096, IommuProt.Read | IommuProt.Write);
            Thread.SpinWait(200);
        }

        Volatile.Write(ref stop, true);
        requesters.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));

        Assert.Empty(violations.Take(5));
        Assert.True(smmu.Device.Statistics.LockFreeAtsRequests.First > 1000,
            $"only {smmu.Device.Statistics.LockFreeAtsRequests.First} requests answered without the lock: the path was hardly exercised");
        Assert.True(granted.Sum() <= smmu.Device.Statistics.AtsTranslationRequests);
    }

    [Fact]
    public void Requests_answered_without_the_lock_count_as_the_locked_path_counts_them()
    {
        using var machine = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        var smmu = machine.AddSmmu("smmu0");
        var dev = machine.AddDevice("dev", "smmu0", [Sid], ats: true);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        domain.Map(Iova, PaBase, 4096, IommuProt.Read | IommuProt.Write);
        var device = smmu.Device;

        // The first request walks (locked); it is the reference for every later answer.
        var first = device.AtsTranslate(Sid, null, Iova + 0x80, noWrite: false);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, PaBase, 12, true, true), first);
        Assert.Equal(0, device.Statistics.LockFreeAtsRequests.First);
        var before = (Requests: device.Statistics.AtsTranslationRequests, Hits: device.TlbStatistics.Hits,
            SteHits: device.ConfigCacheStatistics.SteHits, Ns: device.Clock.Nanoseconds);

        const int PerThread = 5_000;
        var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                Assert.Equal(first, device.AtsTranslate(Sid, null, Iova + 0x80, noWrite: true));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        const int N = 3 * PerThread;
        Assert.Equal(N, device.Statistics.LockFreeAtsRequests.First);
        Assert.Equal(before.Requests + N, device.Statistics.AtsTranslationRequests);
        Assert.Equal(before.Hits + (2 * N), device.TlbStatistics.Hits); // the read and the write probe
        Assert.Equal(before.SteHits + N, device.ConfigCacheStatistics.SteHits);
        var costs = device.Options.Costs;
        Assert.Equal(before.Ns + (N * (costs.AtsTranslationRoundTripNs + (2 * costs.TlbHitNs))), device.Clock.Nanoseconds, 3);
    }

    [Fact]
    public void A_page_that_denies_a_write_is_answered_by_the_locked_path()
    {
        using var machine = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        var smmu = machine.AddSmmu("smmu0");
        var dev = machine.AddDevice("dev", "smmu0", [Sid], ats: true);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        domain.Map(Iova, PaBase, 4096, IommuProt.Read);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new AtsCompletion(AtsStatus.Success, PaBase, 12, true, false), smmu.Device.AtsTranslate(Sid, null, Iova, noWrite: false));
        }

        Assert.Equal(0, smmu.Device.Statistics.LockFreeAtsRequests.First);
        Assert.Equal(3, smmu.Device.Statistics.AtsTranslationRequests);
    }
}
