using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Tests;

/// <summary>dma_alloc*, dma_free* in the v6.12 (no dir, phys_addr then virt_addr) and later formats.</summary>
public class DmaAllocEventTests
{
    [Fact]
    public void Alloc_current_format()
    {
        // >= 6.13: "%s dir=%s dma_addr=%llx size=%zu virt_addr=%p flags=%s attrs=%s".
        var ev = TraceText.Event<DmaAllocEvent>(
            "     modprobe-412     [000] ..... 3.100000: dma_alloc: 0000:02:00.0 dir=BIDIRECTIONAL dma_addr=ffe00000 size=16384 virt_addr=00000000a1b2c3d4 flags=GFP_KERNEL attrs=");
        Assert.Equal(
            new DmaAllocEvent(TraceEventKind.DmaAlloc, "0000:02:00.0", DmaDirection.Bidirectional, 0xffe00000, 16384, 0xa1b2c3d4, null, "GFP_KERNEL", DmaAttributes.None),
            ev);
        Assert.True(ev.AffectsIommu);
    }

    [Fact]
    public void Alloc_pages_and_compound_gfp_flags()
    {
        // >= 6.13 dma_alloc_pages carries the direction the pages are for.
        var ev = TraceText.Event<DmaAllocEvent>(
            "     modprobe-412     [000] ..... 3.100100: dma_alloc_pages: 0000:02:00.0 dir=FROM_DEVICE dma_addr=ffd00000 size=65536 virt_addr=000000005e6f7a8b flags=GFP_KERNEL|__GFP_ZERO attrs=");
        Assert.Equal(
            new DmaAllocEvent(TraceEventKind.DmaAllocPages, "0000:02:00.0", DmaDirection.FromDevice, 0xffd00000, 65536, 0x5e6f7a8b, null, "GFP_KERNEL|__GFP_ZERO", DmaAttributes.None),
            ev);
    }

    [Fact]
    public void Alloc_sgt_err_and_failed_alloc_do_not_affect_the_iommu()
    {
        // 2026 (TV-dma): a NULL buffer records dma_addr 0.
        var err = TraceText.Event<DmaAllocEvent>(
            "     modprobe-412     [000] ..... 3.100200: dma_alloc_sgt_err: 0000:02:00.0 dir=TO_DEVICE dma_addr=0 size=8192 virt_addr=0000000000000000 flags=GFP_KERNEL attrs=");
        Assert.Equal(
            new DmaAllocEvent(TraceEventKind.DmaAllocSgtError, "0000:02:00.0", DmaDirection.ToDevice, 0, 8192, 0, null, "GFP_KERNEL", DmaAttributes.None),
            err);
        Assert.True(err.IsFailure);
        Assert.False(err.AffectsIommu);

        var failed = TraceText.Event<DmaAllocEvent>(
            "     modprobe-412     [000] ..... 3.100300: dma_alloc: 0000:02:00.0 dir=BIDIRECTIONAL dma_addr=0 size=1048576 virt_addr=0000000000000000 flags=GFP_KERNEL attrs=NO_WARN");
        Assert.True(failed.IsFailure);
        Assert.False(failed.AffectsIommu);
    }

    [Fact]
    public void Alloc_v6_12_without_dir_virt_and_phys_variants()
    {
        // v6.12 after 78b2770c935f: no dir=, virt_addr=%p.
        Assert.Equal(
            new DmaAllocEvent(TraceEventKind.DmaAlloc, "0000:02:00.0", null, 0xffe00000, 16384, 0xa1b2c3d4, null, "GFP_KERNEL", DmaAttributes.None),
            TraceText.Event<DmaAllocEvent>(
                "     modprobe-412     [000] ..... 3.100000: dma_alloc: 0000:02:00.0 dma_addr=ffe00000 size=16384 virt_addr=00000000a1b2c3d4 flags=GFP_KERNEL attrs="));

        // v6.12 before 78b2770c935f: phys_addr=%llx in place of virt_addr.
        Assert.Equal(
            new DmaAllocEvent(TraceEventKind.DmaAlloc, "0000:02:00.0", null, 0xffe00000, 16384, null, 0x8a000000, "GFP_KERNEL", DmaAttributes.None),
            TraceText.Event<DmaAllocEvent>(
                "     modprobe-412     [000] ..... 3.100000: dma_alloc: 0000:02:00.0 dma_addr=ffe00000 size=16384 phys_addr=8a000000 flags=GFP_KERNEL attrs="));

        // An unhashed-pointer placeholder is kept as "no pointer".
        Assert.Null(TraceText.Event<DmaAllocEvent>(
            "     modprobe-412     [000] ..... 0.900000: dma_alloc: 0000:02:00.0 dma_addr=ffe00000 size=16384 virt_addr=(____ptrval____) flags=GFP_KERNEL attrs=").VirtAddress);
    }

    [Fact]
    public void Alloc_sgt_and_free_sgt()
    {
        // >= 6.13: dma_alloc_sgt "phys_addrs=%s flags=%s attrs=%s", dma_free_sgt "phys_addrs=%s".
        var alloc = TraceText.Event<DmaAllocSgtEvent>(
            "     modprobe-412     [000] ..... 3.200000: dma_alloc_sgt: 0000:02:00.0 dir=TO_DEVICE dma_addr=ffc00000 size=8192 phys_addrs={0x8a000000,0x8b000000} flags=GFP_KERNEL attrs=");
        Assert.Equal("0000:02:00.0", alloc.Device);
        Assert.Equal(DmaDirection.ToDevice, alloc.Direction);
        Assert.Equal(0xffc00000UL, alloc.DmaAddress);
        Assert.Equal(8192UL, alloc.Size);
        Assert.Equal([0x8a000000UL, 0x8b000000], alloc.PhysAddresses);
        Assert.Equal("GFP_KERNEL", alloc.GfpFlags);
        Assert.Equal(DmaAttributes.None, alloc.Attrs);
        Assert.Equal(TraceEventKind.DmaAllocSgt, alloc.Kind);

        var free = TraceText.Event<DmaFreeSgtEvent>(
            "     modprobe-412     [000] ..... 9.200000: dma_free_sgt: 0000:02:00.0 dir=TO_DEVICE dma_addr=ffc00000 size=8192 phys_addrs={0x8a000000,0x8b000000}");
        Assert.Equal("0000:02:00.0", free.Device);
        Assert.Equal(DmaDirection.ToDevice, free.Direction);
        Assert.Equal(0xffc00000UL, free.DmaAddress);
        Assert.Equal(8192UL, free.Size);
        Assert.Equal([0x8a000000UL, 0x8b000000], free.PhysAddresses);
        Assert.Equal(TraceEventKind.DmaFreeSgt, free.Kind);
        Assert.True(free.AffectsIommu);
    }

    [Fact]
    public void Free_and_free_pages_all_generations()
    {
        // >= 6.13: "%s dir=%s dma_addr=%llx size=%zu virt_addr=%p attrs=%s".
        Assert.Equal(
            new DmaFreeEvent(TraceEventKind.DmaFree, "0000:02:00.0", DmaDirection.Bidirectional, 0xffe00000, 16384, 0xa1b2c3d4, null, DmaAttributes.None),
            TraceText.Event<DmaFreeEvent>(
                "           rmmod-900     [001] ..... 60.000000: dma_free: 0000:02:00.0 dir=BIDIRECTIONAL dma_addr=ffe00000 size=16384 virt_addr=00000000a1b2c3d4 attrs="));
        Assert.Equal(
            new DmaFreeEvent(TraceEventKind.DmaFreePages, "0000:02:00.0", DmaDirection.FromDevice, 0xffd00000, 65536, 0x5e6f7a8b, null, DmaAttributes.None),
            TraceText.Event<DmaFreeEvent>(
                "           rmmod-900     [001] ..... 60.000100: dma_free_pages: 0000:02:00.0 dir=FROM_DEVICE dma_addr=ffd00000 size=65536 virt_addr=000000005e6f7a8b attrs="));

        // v6.12: no dir=; first releases phys_addr=.
        Assert.Equal(
            new DmaFreeEvent(TraceEventKind.DmaFree, "0000:02:00.0", null, 0xffe00000, 16384, 0xa1b2c3d4, null, DmaAttributes.None),
            TraceText.Event<DmaFreeEvent>(
                "           rmmod-900     [001] ..... 60.000000: dma_free: 0000:02:00.0 dma_addr=ffe00000 size=16384 virt_addr=00000000a1b2c3d4 attrs="));
        Assert.Equal(
            new DmaFreeEvent(TraceEventKind.DmaFree, "0000:02:00.0", null, 0xffe00000, 16384, null, 0x8a000000, DmaAttributes.None),
            TraceText.Event<DmaFreeEvent>(
                "           rmmod-900     [001] ..... 60.000000: dma_free: 0000:02:00.0 dma_addr=ffe00000 size=16384 phys_addr=8a000000 attrs="));
    }

    [Fact]
    public void Free_of_a_null_buffer_does_nothing()
    {
        // >= 6.13 traces dma_free before checking for a NULL buffer.
        var ev = TraceText.Event<DmaFreeEvent>(
            "           rmmod-900     [001] ..... 60.000200: dma_free: 0000:02:00.0 dir=BIDIRECTIONAL dma_addr=0 size=4096 virt_addr=0000000000000000 attrs=");
        Assert.Equal(new DmaFreeEvent(TraceEventKind.DmaFree, "0000:02:00.0", DmaDirection.Bidirectional, 0, 4096, 0, null, DmaAttributes.None), ev);
        Assert.True(ev.IsNoOp);
        Assert.False(ev.AffectsIommu);
    }

    [Fact]
    public void Alloc_in_trace_cmd_report()
    {
        // trace-cmd report prints %p from the raw record: an unhashed 0x-pointer.
        Assert.Equal(
            new DmaAllocEvent(TraceEventKind.DmaAlloc, "0000:02:00.0", DmaDirection.Bidirectional, 0xffe00000, 16384, 0xffff8000a1b2c000, null, "GFP_KERNEL", DmaAttributes.None),
            TraceText.Event<DmaAllocEvent>(
                "        modprobe-412   [000]     3.100000: dma_alloc:            0000:02:00.0 dir=BIDIRECTIONAL dma_addr=ffe00000 size=16384 virt_addr=0xffff8000a1b2c000 flags=GFP_KERNEL attrs="));
    }
}
