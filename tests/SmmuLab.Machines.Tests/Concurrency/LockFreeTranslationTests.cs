using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Machines.Tests.Concurrency;

/// <summary>
/// TLB-hit translations run without the device lock. Threads translate one IOVA while another thread
/// remaps it again and again (unmap with TLBI and CMD_SYNC, then map to a new page): no translation
/// that starts after an unmap's CMD_SYNC has completed may return the page that unmap removed.
/// </summary>
public sealed class LockFreeTranslationTests
{
    private const ulong Iova = 0x4000_0000;
    private const ulong PaBase = 0x1_0000_0000;
    private const uint Sid = 0x10;

    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void No_translation_started_after_a_completed_unmap_returns_the_removed_page(string design)
    {
        using var machine = new DriverMachine(InvalidationDesigns.Create(design));
        var smmu = machine.AddSmmu("smmu0");
        var dev = machine.AddDevice("dev", "smmu0", [Sid]);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        domain.Map(Iova, PaBase, 4096, IommuProt.Read | IommuProt.Write);

        const int Remaps = 3000;
        long completedUnmaps = 0;
        var stop = false;
        var violations = new List<string>();
        var translated = new long[2];
        var translators = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                // Any page removed by an unmap whose CMD_SYNC completed before this point is off limits.
                var completed = Volatile.Read(ref completedUnmaps);
                var result = smmu.Device.Translate(Sid, null, Iova + 0x123, AccessKind.Read);
                if (!result.Succeeded)
                {
                    continue; // between an unmap and the next map
                }

                translated[t]++;
                // Generation g maps the IOVA to PaBase + g pages; anything else is a torn or stale entry.
                var pa = result.PhysicalAddress;
                var generation = pa < PaBase ? -1 : (long)((pa - PaBase) >> 12);
                if (generation < completed || generation > Remaps || (pa & 0xFFF) != 0x123)
                {
                    lock (violations)
                    {
                        violations.Add($"translation started after {completed} completed unmaps returned 0x{result.PhysicalAddress:X} (generation {generation})");
                    }
                }
            }
        })
        { IsBackground = true }).ToList();
        translators.ForEach(t => t.Start());

        for (var g = 0; g < Remaps; g++)
        {
            domain.Unmap(Iova, 4096);
            Volatile.Write(ref completedUnmaps, g + 1);
            domain.Map(Iova, PaBase + ((ulong)(g + 1) << 12), 4096, IommuProt.Read | IommuProt.Write);

            // Let the translators fill the TLB with the new page before it goes again.
            Thread.SpinWait(200);
        }

        Volatile.Write(ref stop, true);
        translators.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(30))));

        Assert.Empty(violations.Take(5));
        var outcomes = smmu.Device.Statistics.Outcomes;
        Assert.True(outcomes.FromTlb > 1000, $"only {outcomes.FromTlb} TLB hits: the lock-free path was hardly exercised");
        Assert.Equal(smmu.Device.Statistics.Translations, outcomes.Total);
        Assert.True(translated.Sum() <= smmu.Device.Statistics.Translations);
    }

    [Fact]
    public void Hits_without_the_lock_are_counted_in_every_total_and_in_modeled_time()
    {
        using var machine = new DriverMachine(InvalidationDesigns.Create(InvalidationDesigns.Linux));
        var smmu = machine.AddSmmu("smmu0");
        var dev = machine.AddDevice("dev", "smmu0", [Sid]);
        var domain = machine.Iommu.AllocPaging("dom", DomainKind.S1);
        dev.Master.Attach(domain);
        domain.Map(Iova, PaBase, 4096, IommuProt.Read | IommuProt.Write);
        var device = smmu.Device;
        Assert.True(device.Translate(Sid, null, Iova, AccessKind.Read).Succeeded); // the walk fills the TLB
        var before = (Translations: device.Statistics.Translations, FromTlb: device.Statistics.Outcomes.FromTlb,
            Hits: device.TlbStatistics.Hits, Ns: device.Clock.Nanoseconds);

        const int PerThread = 10_000;
        var threads = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                Assert.Equal(PaBase + 8, device.Translate(Sid, null, Iova + 8, AccessKind.Read).PhysicalAddress);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join()); // the threads have ended: their counts must stay

        Assert.Equal(before.Translations + (3 * PerThread), device.Statistics.Translations);
        Assert.Equal(before.FromTlb + (3 * PerThread), device.Statistics.Outcomes.FromTlb);
        Assert.Equal(before.Hits + (3 * PerThread), device.TlbStatistics.Hits);
        Assert.Equal(before.Ns + (3 * PerThread * device.Options.Costs.TlbHitNs), device.Clock.Nanoseconds, 3);
    }
}
