using SmmuLab.Driver.Dma;

namespace SmmuLab.Driver.Tests.Dma;

/// <summary>
/// The IOVA allocator against expectations worked out by hand from iova.c's rules (reference E):
/// 4 KiB granule, so 4 GiB is frame 0x100000 and a 32-bit limit is frame 0xFFFFF.
/// </summary>
public sealed class IovaAllocatorTests
{
    private const ulong Limit32 = 0xF_FFFF;

    private static IovaAllocator New(int cpus = 2) => new(0x1000, 0, cpus);

    [Fact]
    public void Geometry_of_a_4k_domain()
    {
        var a = New();
        Assert.Equal((12, 1UL, 0x10_0000UL, 0x10_0000UL), (a.Shift, a.StartPfn, a.Dma32BitPfn, a.Max32AllocSize));
        Assert.Equal(0x2_0000UL, a.CachedRangeBytes); // 128 KiB
        Assert.Equal([0, 0, 1, 2, 2, 3, 5, 5, 6], new ulong[] { 1, 0, 2, 3, 4, 5, 32, 31, 33 }.Select(IovaAllocator.OrderBase2));
        Assert.Equal([1UL, 4UL, 16UL, 32UL, 33UL, 100UL], new ulong[] { 1, 3, 9, 32, 33, 100 }.Select(IovaAllocator.RoundedPages));
    }

    [Fact]
    public void Allocation_is_top_down_below_the_limit()
    {
        var a = New();
        Assert.Equal(0xF_FFFFUL, a.AllocFast(0, 1, Limit32, false));
        Assert.Equal(0xF_FFFEUL, a.AllocFast(0, 1, Limit32, false));

        // Two pages: aligned to 2 below 0xFFFFE.
        Assert.Equal(0xF_FFFCUL, a.AllocFast(0, 2, Limit32, false));
        Assert.Equal([(0xF_FFFCUL, 0xF_FFFDUL), (0xF_FFFEUL, 0xF_FFFEUL), (0xF_FFFFUL, 0xF_FFFFUL)], a.Ranges());
        Assert.Equal(3, a.Statistics.TreeAllocations);
        a.Validate();
    }

    [Fact]
    public void Sizes_below_32_pages_are_rounded_and_every_size_is_aligned_to_its_power_of_two()
    {
        var a = New();

        // 3 pages reserve 4: frames 0xFFFFC..0xFFFFF.
        Assert.Equal(0xF_FFFCUL, a.AllocFast(0, 3, Limit32, false));

        // 33 pages are not rounded but start on a 64-page boundary: (0xFFFFC − 33) & ~63 = 0xFFFC0.
        var pfn = a.AllocFast(0, 33, Limit32, false);
        Assert.Equal(0xF_FFC0UL, pfn);
        Assert.Equal(0UL, pfn % 64);
        Assert.Equal([(0xF_FFC0UL, 0xF_FFE0UL), (0xF_FFFCUL, 0xF_FFFFUL)], a.Ranges());
    }

    [Fact]
    public void Same_size_map_unmap_on_one_CPU_reuses_the_IOVA_last_in_first_out()
    {
        var a = New();
        var x = a.AllocFast(0, 1, Limit32, false);
        var y = a.AllocFast(0, 1, Limit32, false);
        a.FreeFast(0, x, 1);
        a.FreeFast(0, y, 1);

        // The cache is a stack: y comes back first, then x; nothing new in the tree.
        Assert.Equal(y, a.AllocFast(0, 1, Limit32, false));
        Assert.Equal(x, a.AllocFast(0, 1, Limit32, false));
        Assert.Equal(2, a.Statistics.RcacheHits);
        Assert.Equal(2, a.Statistics.TreeAllocations);

        // Another CPU does not see CPU 0's cache.
        a.FreeFast(0, x, 1);
        Assert.Equal(0xF_FFFDUL, a.AllocFast(1, 1, Limit32, false));
    }

    [Fact]
    public void A_freed_size_is_cached_in_the_class_of_its_unrounded_length()
    {
        var a = New();
        var p = a.AllocFast(0, 3, Limit32, false); // 4 pages reserved
        a.FreeFast(0, p, 3); // order_base_2(3) = 2: the 4-page class
        Assert.Equal(1, a.CachedFrames(0, 2));
        Assert.Equal(p, a.AllocFast(0, 4, Limit32, false));

        // 33 pages are beyond the cached classes: freed straight from the tree.
        var big = a.AllocFast(0, 33, Limit32, false);
        a.FreeFast(0, big, 33);
        Assert.False(a.IsAllocated(big));
        Assert.Equal(1, a.Statistics.TreeFrees);
    }

    [Fact]
    public void A_cached_frame_above_the_limit_is_not_used()
    {
        var a = New();
        var high = a.AllocFast(0, 1, Limit32, false); // 0xFFFFF
        a.FreeFast(0, high, 1);

        // Below frame 0x80000 the cached 0xFFFFF does not fit: the tree gives 0x7FFFF.
        Assert.Equal(0x7_FFFFUL, a.AllocFast(0, 1, 0x7_FFFF, false));
        Assert.Equal(0, a.Statistics.RcacheHits);
        Assert.Equal(1, a.CachedFrames(0, 0));
    }

    [Fact]
    public void Frame_zero_is_never_handed_out_and_exhaustion_sets_the_fast_failure()
    {
        var a = New();
        Assert.Equal([3UL, 2UL, 1UL], Enumerable.Range(0, 3).Select(_ => a.AllocFast(0, 1, 3, true)));
        Assert.Equal(0UL, a.AllocFast(0, 1, 3, true));
        Assert.False(a.IsAllocated(0));

        // The failure below 4 GiB remembers its size: the next request of that size fails at once.
        Assert.Equal(1UL, a.Max32AllocSize);
        var fast = a.Statistics.FastFailures;
        Assert.Equal(0UL, a.AllocFast(0, 1, 3, false));
        Assert.Equal(fast + 1, a.Statistics.FastFailures);

        // Freeing a range below 4 GiB lifts it; the search resumes below the hint, which moved up
        // past the freed range.
        Assert.True(a.Free(2));
        Assert.Equal(0x10_0000UL, a.Max32AllocSize);
        Assert.Equal(2UL, a.AllocFast(0, 1, 3, false));
        a.Validate();
    }

    [Fact]
    public void When_the_space_below_the_hint_is_full_the_search_restarts_from_the_limit()
    {
        var a = New();
        foreach (var expected in new ulong[] { 3, 2, 1 })
        {
            Assert.Equal(expected, a.AllocFast(0, 1, 3, false));
        }

        // The 32-bit hint is frame 1; below it nothing is left, so the search runs again between
        // the hint and the limit and takes the top frame, 0xFF.
        Assert.Equal(0xFFUL, a.AllocFast(0, 1, 0xFF, false));
        a.Validate();
    }

    [Fact]
    public void A_failed_allocation_flushes_every_CPU_cache_and_retries_once()
    {
        var a = New();
        var frames = Enumerable.Range(0, 8).Select(_ => a.AllocFast(0, 1, 8, false)).ToArray();
        Assert.Equal([8UL, 7UL, 6UL, 5UL, 4UL, 3UL, 2UL, 1UL], frames);
        foreach (var f in frames)
        {
            a.FreeFast(1, f, 1);
        }

        // Every frame is cached on CPU 1 and still in the tree: two pages do not fit.
        Assert.Equal(8, a.CachedFrames(1, 0));
        Assert.Equal(0UL, a.AllocFast(0, 2, 8, false));

        // With the retry the caches go back to the tree and the pair lands at (9 − 2) & ~1 = 6.
        Assert.Equal(6UL, a.AllocFast(0, 2, 8, true));
        Assert.Equal(1, a.Statistics.RcacheFlushes);
        Assert.Equal(8, a.Statistics.CachedFramesReturned);
        Assert.Equal(0, a.CachedFrames(1, 0));
        Assert.Equal([(6UL, 7UL)], a.Ranges());
        a.Validate();
    }

    [Fact]
    public void Allocations_above_4_gib_use_their_own_hint()
    {
        var a = New();
        var limit48 = (1UL << 36) - 1;
        Assert.Equal(limit48, a.AllocFast(0, 1, limit48, false));
        Assert.Equal(Limit32, a.AllocFast(0, 1, Limit32, false));
        Assert.Equal(limit48 - 1, a.AllocFast(0, 1, limit48, false));
    }

    [Fact]
    public void Reservations_are_skipped_and_merge_with_what_is_there()
    {
        var a = New();
        a.Reserve(0xF_0000, Limit32);
        Assert.Equal(0xE_FFFFUL, a.AllocFast(0, 1, Limit32, false));
        a.Reserve(0xE_FF00, 0xF_0010);
        Assert.Equal([(0xE_FF00UL, 0xE_FFFEUL), (0xE_FFFFUL, 0xE_FFFFUL), (0xF_0000UL, Limit32)], a.Ranges());
        a.Validate();
    }

    [Fact]
    public void Steady_state_allocation_and_free_allocate_no_memory()
    {
        var a = New();
        var held = new ulong[64];
        Churn(a, held, 20_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Churn(a, held, 20_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        a.Validate();

        // Sizes 1..40 (cached classes and tree-only sizes); allocated on CPU 0, freed on CPU 1,
        // so magazines travel through the depot.
        static void Churn(IovaAllocator a, ulong[] held, int rounds)
        {
            for (var i = 0; i < rounds; i++)
            {
                var slot = i % held.Length;
                var pages = (ulong)(slot % 40) + 1;
                if (held[slot] != 0)
                {
                    a.FreeFast(1, held[slot], pages);
                }

                held[slot] = a.AllocFast(0, pages, Limit32, true);
            }
        }
    }

    [Fact]
    public void Cpu_numbers_are_checked()
    {
        var a = New();
        Assert.Throws<ArgumentOutOfRangeException>(() => a.AllocFast(2, 1, Limit32, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => a.FreeFast(-1, 5, 1));
    }
}
