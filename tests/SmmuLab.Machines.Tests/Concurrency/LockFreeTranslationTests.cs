using SmmuLab.Architecture.Commands;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Machines.Tests.Concurrency;

/// <summary>
/// TLB-hit translations run without the device lock. Threads translate one IOVA while another thread
/// remaps it again and again (unmap with TLBI and CMD_SYNC, then map to a new page): no translation
/// that starts after an unmap's CMD_SYNC has completed may return the page that unmap removed.
/// </summary>
public sealed class LockFreeTranslationTests
{
    private const ulong Iova = RemapRace.Iova;
    private const ulong PaBase = RemapRace.PaBase;
    private const uint Sid = RemapRace.Sid;

    [Theory]
    [InlineData(InvalidationDesigns.Linux)]
    [InlineData(InvalidationDesigns.Legacy)]
    public void No_translation_started_after_a_completed_unmap_returns_the_removed_page(string design)
    {
        var (machine, smmu, domain) = RemapRace.Machine(design);
        using var owned = machine;
        const int Remaps = 3000;
        long translated = 0;
        var violations = RemapRace.Run(domain, Remaps, probers: 2, completed =>
        {
            var result = smmu.Device.Translate(Sid, null, Iova + 0x123, AccessKind.Read);
            if (!result.Succeeded)
            {
                return null; // between an unmap and the next map
            }

            Interlocked.Increment(ref translated);

            // Generation g maps the IOVA to PaBase + g pages; anything else is a torn or stale entry.
            var generation = RemapRace.Generation(result.PhysicalAddress);
            return generation < completed || generation > Remaps || (result.PhysicalAddress & 0xFFF) != 0x123
                ? $"translation started after {completed} completed unmaps returned 0x{result.PhysicalAddress:X} (generation {generation})"
                : null;
        });

        Assert.Empty(violations.Take(5));
        var outcomes = smmu.Device.Statistics.Outcomes;
        Assert.True(outcomes.FromTlb > 1000, $"only {outcomes.FromTlb} TLB hits: the lock-free path was hardly exercised");
        Assert.Equal(smmu.Device.Statistics.Translations, outcomes.Total);
        Assert.True(translated <= smmu.Device.Statistics.Translations);
    }

    /// <summary>
    /// The same race with the invalidations on a CMDQV's VCMDQ, whose TLBIs and CMD_SYNCs run without
    /// the device lock when it holds nothing to remove: a walk under the lock that read the entry
    /// before the unmap cleared it and fills the TLB after the TLBI found it empty must not outlive
    /// the CMD_SYNC (the device lock's sequence count sends such a TLBI to the lock).
    /// </summary>
    [Fact]
    public void Through_a_VCMDQ_no_translation_started_after_a_completed_unmap_returns_the_removed_page()
    {
        var (machine, smmu, domain) = RemapRace.Machine(InvalidationDesigns.Linux, cmdqv: true);
        using var owned = machine;
        const int Remaps = 3000;
        var violations = RemapRace.Run(domain, Remaps, probers: 2, completed =>
        {
            var result = smmu.Device.Translate(Sid, null, Iova + 0x123, AccessKind.Read);
            var generation = RemapRace.Generation(result.PhysicalAddress);
            return !result.Succeeded || (generation >= completed && generation <= Remaps && (result.PhysicalAddress & 0xFFF) == 0x123)
                ? null
                : $"translation started after {completed} completed unmaps returned 0x{result.PhysicalAddress:X} (generation {generation})";
        });

        Assert.Empty(violations.Take(5));
        Assert.Equal(0, smmu.Device.Statistics.Commands(Opcode.CMD_TLBI_NH_VA)); // every TLBI went through the VCMDQ
        Assert.True(smmu.Device.Statistics.CommandsWithoutLock > 0, "no VCMDQ command ran without the lock: the quiet path was not exercised");
    }

    [Fact]
    public void Hits_without_the_lock_are_counted_in_every_total_and_in_modeled_time()
    {
        var (machine, smmu, _) = RemapRace.Machine(InvalidationDesigns.Linux);
        using var owned = machine;
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
