using static SmmuLab.Verification.Tests.OracleFixtures;

namespace SmmuLab.Verification.Tests;

/// <summary>
/// Pages a thread's kept mappings explain are judged without the oracle's lock; whatever ends or
/// moves a mapping (an unmap, a partial unmap, a map over it, an attach elsewhere, from any thread)
/// must send the next page back to the full judgment.
/// </summary>
public class FastJudgingTests
{
    private const ulong Iova = 0x10000;
    private const ulong Pa = 0x8000_0000;

    [Fact]
    public void Pages_judged_without_the_lock_are_counted()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x4000);
        for (var i = 0UL; i < 100; i++)
        {
            var offset = (i % 4) << 12;
            oracle.Check(Access(Iova + offset, Pa + offset));
        }

        Assert.Equal((100L, 0L), (oracle.PagesChecked, oracle.ViolationCount));
        Assert.Equal(100, oracle.Summarize().PagesChecked);
    }

    [Fact]
    public void A_kept_mapping_stops_clearing_pages_once_it_is_unmapped()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x1000);
        oracle.Check(Access(Iova, Pa));
        oracle.Step = 4;
        oracle.Unmapped("dom", Iova, 0x1000);

        oracle.Check(Access(Iova, Pa));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, "unmap dom 0x10000+0x1000"), (v.Kind, v.KilledBy!.Value.Description));
    }

    [Fact]
    public void After_a_partial_unmap_the_rest_stays_live_and_the_unmapped_page_is_stale()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x4000);
        oracle.Check(Access(Iova, Pa));
        oracle.Unmapped("dom", Iova + 0x1000, 0x1000);

        oracle.Check(Access(Iova, Pa));
        oracle.Check(Access(Iova + 0x2000, Pa + 0x2000));
        oracle.Check(Access(Iova + 0x1000, Pa + 0x1000));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, Iova + 0x1000), (v.Kind, v.Iova));
        Assert.Equal(4, oracle.PagesChecked);
    }

    [Fact]
    public void A_map_over_a_kept_mapping_ends_it()
    {
        using var oracle = Paging();
        oracle.Mapped("dom", Iova, Pa, 0x1000);
        oracle.Check(Access(Iova, Pa));
        oracle.Mapped("dom", Iova, Pa + 0x10_0000, 0x1000);

        oracle.Check(Access(Iova, Pa)); // the old PA is mapped no more
        oracle.Check(Access(Iova, Pa + 0x10_0000));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Unmapped, Pa), (v.Kind, v.PhysicalAddress));
    }

    [Fact]
    public void An_attach_elsewhere_stops_the_kept_mappings_of_the_old_domain()
    {
        using var oracle = Paging();
        oracle.AddDomain("other", OracleDomainKind.Paging);
        oracle.Mapped("dom", Iova, Pa, 0x1000);
        oracle.Check(Access(Iova, Pa));
        oracle.Attached("nic", null, "other");

        oracle.Check(Access(Iova, Pa));

        var v = Assert.Single(oracle.Violations);
        Assert.Equal((ViolationKind.Stale, "other", "dom"), (v.Kind, v.Domain, v.KilledDomain));
    }

    [Fact]
    public void An_unmap_on_another_thread_ends_the_mapping_this_thread_kept()
    {
        using var oracle = Paging();
        using var kept = new ManualResetEventSlim();
        using var unmapped = new ManualResetEventSlim();
        var dma = new Thread(() =>
        {
            oracle.Mapped("dom", Iova, Pa, 0x1000);
            oracle.Check(Access(Iova, Pa));
            kept.Set();
            unmapped.Wait(TimeSpan.FromSeconds(30));
            oracle.Check(Access(Iova, Pa));
        });
        dma.Start();
        Assert.True(kept.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        oracle.Unmapped("dom", Iova, 0x1000);
        unmapped.Set();
        Assert.True(dma.Join(TimeSpan.FromSeconds(30)));

        Assert.Equal(ViolationKind.Stale, Assert.Single(oracle.Violations).Kind);
        Assert.Equal(2, oracle.PagesChecked);
    }

    [Fact]
    public void Many_more_mappings_than_a_thread_keeps_are_each_judged_right()
    {
        // More mappings than the live table has places, so numbers share places: a mapping whose
        // place another took is judged under the lock, never wrongly.
        const int Mappings = 10_000;
        using var oracle = Paging();
        for (var i = 0UL; i < Mappings; i++)
        {
            oracle.Mapped("dom", Iova + (i << 12), Pa + (i << 12), 0x1000);
        }

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0UL; i < Mappings; i++)
            {
                oracle.Check(Access(Iova + (i << 12), Pa + (i << 12)));
            }
        }

        Assert.Equal(0, oracle.ViolationCount);
        for (var i = 0UL; i < Mappings; i += 2)
        {
            oracle.Unmapped("dom", Iova + (i << 12), 0x1000);
        }

        for (var i = 0UL; i < Mappings; i++)
        {
            oracle.Check(Access(Iova + (i << 12), Pa + (i << 12)));
        }

        Assert.Equal(Mappings / 2, oracle.ViolationCount);
        Assert.Equal(3 * Mappings, oracle.PagesChecked);
    }
}
