using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Translation;
using SmmuLab.Machines.Tests.Concurrency;

namespace SmmuLab.Machines.Tests.Statistics;

/// <summary>A transaction the TLB cannot answer is one TLB miss, whichever path looked first.</summary>
public sealed class TlbMissCountTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_walked_transaction_counts_one_miss_and_a_repeat_one_hit(bool observed)
    {
        var (machine, smmu, domain) = RemapRace.Machine(InvalidationDesigns.Linux);
        using var owned = machine;
        domain.Map(RemapRace.Iova + 0x1000, RemapRace.PaBase + 0x1000, 0x3000, IommuProt.Read | IommuProt.Write);
        var device = smmu.Device;
        using var watch = observed ? device.AddObserver(new DelegateObserver { OnTranslation = (_, _) => { } }) : null;
        Assert.True(device.Translate(RemapRace.Sid, null, RemapRace.Iova, AccessKind.Read).Succeeded); // remembers the configuration

        var before = device.TlbStatistics;
        for (var page = 1UL; page < 4; page++)
        {
            Assert.True(device.Translate(RemapRace.Sid, null, RemapRace.Iova + (page << 12), AccessKind.Read).Succeeded); // fast path misses, then a walk
        }

        var afterWalks = device.TlbStatistics;
        Assert.Equal(3, afterWalks.Misses - before.Misses);
        Assert.Equal(0, afterWalks.Hits - before.Hits);

        Assert.True(device.Translate(RemapRace.Sid, null, RemapRace.Iova + 0x1000, AccessKind.Read).Succeeded);
        Assert.Equal(afterWalks.Misses, device.TlbStatistics.Misses);
        Assert.Equal(afterWalks.Hits + 1, device.TlbStatistics.Hits);
    }
}
