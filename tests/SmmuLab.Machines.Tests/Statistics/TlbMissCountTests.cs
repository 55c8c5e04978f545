using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.PageTables;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Translation;
using SmmuLab.Machines.Tests.Concurrency;

namespace SmmuLab.Machines.Tests.Statistics;

/// <summary>A transaction is one TLB lookup, a hit or a miss, whichever path looked first.</summary>
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

    [Theory]
    [InlineData("translate")]
    [InlineData("observed")]
    [InlineData("dma")]
    public void A_hit_whose_permissions_deny_the_access_counts_one_hit_and_no_miss(string path)
    {
        var (machine, smmu, domain) = RemapRace.Machine(InvalidationDesigns.Linux);
        using var owned = machine;
        const ulong ReadOnly = RemapRace.Iova + 0x1000;
        domain.Map(ReadOnly, RemapRace.PaBase + 0x1000, 0x1000, IommuProt.Read);
        var device = smmu.Device;
        using var watch = path == "observed" ? device.AddObserver(new DelegateObserver { OnTranslation = (_, _) => { } }) : null;
        Assert.True(device.Translate(RemapRace.Sid, null, ReadOnly, AccessKind.Read).Succeeded); // walked: now in the TLB, read-only

        var before = device.TlbStatistics;
        var faulted = path == "dma"
            ? !machine.Device("dev").Endpoint.Write(ReadOnly, new byte[8]).Ok
            : !device.Translate(RemapRace.Sid, null, ReadOnly, AccessKind.Write).Succeeded;

        // One transaction, one lookup: the hit (then the walk that reports the permission fault precisely).
        Assert.True(faulted);
        Assert.Equal((1L, 0L), (device.TlbStatistics.Hits - before.Hits, device.TlbStatistics.Misses - before.Misses));
    }
}
