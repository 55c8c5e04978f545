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
    private const ulong Iova = RemapRace.Iova;
    private const ulong PaBase = RemapRace.PaBase;
    private const uint Sid = RemapRace.Sid;

    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void No_request_started_after_a_completed_unmap_is_granted_the_removed_page(string design)
    {
        var (machine, smmu, domain) = RemapRace.Machine(design, ats: true);
        using var owned = machine;
        const int Remaps = 2000;
        long granted = 0;
        var violations = RemapRace.Run(domain, Remaps, probers: 2, completed =>
        {
            var c = smmu.Device.AtsTranslate(Sid, null, Iova, noWrite: false);
            if (c.Status != AtsStatus.Success || !c.Read)
            {
                return null; // between an unmap and the next map: nothing granted
            }

            Interlocked.Increment(ref granted);
            var generation = RemapRace.Generation(c.TranslatedAddress);
            return generation < completed || generation > Remaps || !c.Write || c.SizeShift != 12
                ? $"request started after {completed} completed unmaps was granted 0x{c.TranslatedAddress:X} (generation {generation}, W {c.Write}, size 2^{c.SizeShift})"
                : null;
        });

        Assert.Empty(violations.Take(5));
        Assert.True(smmu.Device.Statistics.LockFreeAtsRequests.First > 1000,
            $"only {smmu.Device.Statistics.LockFreeAtsRequests.First} requests answered without the lock: the path was hardly exercised");
        Assert.True(granted <= smmu.Device.Statistics.AtsTranslationRequests);
    }

    [Fact]
    public void Requests_answered_without_the_lock_count_as_the_locked_path_counts_them()
    {
        var (machine, smmu, _) = RemapRace.Machine(InvalidationDesigns.Linux, ats: true);
        using var owned = machine;
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
        var (machine, smmu, _) = RemapRace.Machine(InvalidationDesigns.Linux, ats: true, prot: IommuProt.Read);
        using var owned = machine;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(new AtsCompletion(AtsStatus.Success, PaBase, 12, true, false), smmu.Device.AtsTranslate(Sid, null, Iova, noWrite: false));
        }

        Assert.Equal(0, smmu.Device.Statistics.LockFreeAtsRequests.First);
        Assert.Equal(3, smmu.Device.Statistics.AtsTranslationRequests);
    }
}
