using System.Globalization;
using SmmuLab.Replay.Events;

namespace SmmuLab.Replay.Tests;

/// <summary>dma_map_sg (untruncated and counted formats), dma_map_sg_err, dma_unmap_sg, dma_sync_sg_*.</summary>
public class DmaSgEventTests
{
    [Fact]
    public void Map_sg_counted_format()
    {
        // >= 6.18.13 / 7.x: "nents=%d/%d ents=%d/%d%s dma_addrs= sizes= phys_addrs= attrs=".
        var ev = TraceText.Event<DmaMapSgEvent>(
            "     kworker/1:1-88      [001] ..... 300.000010: dma_map_sg: 0000:01:00.0 dir=FROM_DEVICE nents=3/3 ents=1/1 dma_addrs={0xfff00000} sizes={0x3000} phys_addrs={0x8a000000,0x8b001000,0x8c002000} attrs=");
        Assert.Equal("0000:01:00.0", ev.Device);
        Assert.Equal(DmaDirection.FromDevice, ev.Direction);
        Assert.Equal(3, ev.InputSegments);
        Assert.Equal(1, ev.OutputSegments);
        Assert.True(ev.CountsPrinted);
        Assert.False(ev.Truncated);
        Assert.Equal([0xfff00000UL], ev.DmaAddresses);
        Assert.Equal([0x3000u], ev.Lengths);
        Assert.Equal([0x8a000000UL, 0x8b001000, 0x8c002000], ev.PhysAddresses);
        Assert.Equal(DmaAttributes.None, ev.Attrs);
        Assert.Equal(TraceEventKind.DmaMapSg, ev.Kind);
        Assert.True(ev.AffectsIommu);
    }

    [Fact]
    public void Map_sg_counted_format_truncated_at_128()
    {
        // >= 6.18.13: 200 input segments, 150 output segments, arrays cut to 128 and " [TRUNCATED]".
        string Hex(IEnumerable<ulong> values) => "{" + string.Join(',', values.Select(v => "0x" + v.ToString("x", CultureInfo.InvariantCulture))) + "}";
        var dma = Enumerable.Range(0, 128).Select(i => 0xf000_0000UL + ((ulong)i * 0x2000)).ToArray();
        var sizes = Enumerable.Range(0, 128).Select(_ => 0x2000UL).ToArray();
        var phys = Enumerable.Range(0, 128).Select(i => 0x1_0000_0000UL + ((ulong)i * 0x10000)).ToArray();
        var ev = TraceText.Event<DmaMapSgEvent>(
            "     kworker/1:1-88      [001] ..... 300.000010: dma_map_sg: 0000:01:00.0 dir=TO_DEVICE nents=128/200 ents=128/150 [TRUNCATED] " +
            $"dma_addrs={Hex(dma)} sizes={Hex(sizes)} phys_addrs={Hex(phys)} attrs=SKIP_CPU_SYNC");
        Assert.Equal(200, ev.InputSegments);
        Assert.Equal(150, ev.OutputSegments);
        Assert.True(ev.CountsPrinted);
        Assert.True(ev.Truncated);
        Assert.Equal(dma, ev.DmaAddresses);
        Assert.Equal(sizes.Select(s => (uint)s), ev.Lengths);
        Assert.Equal(phys, ev.PhysAddresses);
        Assert.Equal(DmaAttributes.SkipCpuSync, ev.Attrs);
    }

    [Fact]
    public void Map_sg_untruncated_format_of_6_13_to_6_18_12()
    {
        // ~6.13..6.18.12: "dma_addrs=%s sizes=%s phys_addrs=%s attrs=%s", counts are the array lengths.
        var ev = TraceText.Event<DmaMapSgEvent>(
            "         fio-4021    [003] ..... 5000.200000: dma_map_sg: 0000:01:00.0 dir=TO_DEVICE dma_addrs={0xfff00000,0xfff02000} sizes={0x2000,0x200} phys_addrs={0x8a000000,0x8a001000,0x8d000000} attrs=");
        Assert.Equal(3, ev.InputSegments);
        Assert.Equal(2, ev.OutputSegments);
        Assert.False(ev.CountsPrinted);
        Assert.False(ev.Truncated);
        Assert.Equal([0xfff00000UL, 0xfff02000], ev.DmaAddresses);
        Assert.Equal([0x2000u, 0x200], ev.Lengths);
        Assert.Equal([0x8a000000UL, 0x8a001000, 0x8d000000], ev.PhysAddresses);
        Assert.Equal(DmaDirection.ToDevice, ev.Direction);
        Assert.Equal(DmaAttributes.None, ev.Attrs);
    }

    [Fact]
    public void Map_sg_in_trace_cmd_report_prints_arrays_as_decimals()
    {
        // trace-cmd report (libtraceevent prints __print_array as space-separated unsigned decimals), ~6.13 kernel.
        var ev = TraceText.Event<DmaMapSgEvent>(
            "             fio-4021  [003]  5000.200000: dma_map_sg:           0000:01:00.0 dir=TO_DEVICE dma_addrs=4293918720 4293926912 sizes=8192 512 phys_addrs=2315255808 2315259904 2365587456 attrs=");
        Assert.Equal([0xfff00000UL, 0xfff02000], ev.DmaAddresses);
        Assert.Equal([0x2000u, 0x200], ev.Lengths);
        Assert.Equal([0x8a000000UL, 0x8a001000, 0x8d000000], ev.PhysAddresses);
        Assert.Equal(3, ev.InputSegments);
        Assert.Equal(2, ev.OutputSegments);
    }

    [Fact]
    public void Map_sg_err_holds_physical_addresses()
    {
        // ~6.13 and later: "dma_addrs=%s err=%d" where the array is the input segments' physical addresses.
        var ev = TraceText.Event<DmaMapSgErrorEvent>(
            "         fio-4021    [003] ..... 5000.300000: dma_map_sg_err: 0000:01:00.0 dir=TO_DEVICE dma_addrs={0x8a000000,0x8b000000} err=-12 attrs=");
        Assert.Equal("0000:01:00.0", ev.Device);
        Assert.Equal(DmaDirection.ToDevice, ev.Direction);
        Assert.Equal([0x8a000000UL, 0x8b000000], ev.PhysAddresses);
        Assert.Equal(-12, ev.Error);
        Assert.Equal(DmaAttributes.None, ev.Attrs);
        Assert.False(ev.AffectsIommu);
    }

    [Fact]
    public void Unmap_sg_in_tracefs_and_trace_cmd()
    {
        // All generations: "phys_addrs=%s attrs=%s".
        var tracefs = TraceText.Event<DmaUnmapSgEvent>(
            "     kworker/1:1-88      [001] ..... 300.000500: dma_unmap_sg: 0000:01:00.0 dir=FROM_DEVICE phys_addrs={0x8a000000,0x8b001000,0x8c002000} attrs=");
        Assert.Equal("0000:01:00.0", tracefs.Device);
        Assert.Equal(DmaDirection.FromDevice, tracefs.Direction);
        Assert.Equal([0x8a000000UL, 0x8b001000, 0x8c002000], tracefs.PhysAddresses);
        Assert.Equal(DmaAttributes.None, tracefs.Attrs);
        Assert.True(tracefs.AffectsIommu);

        var traceCmd = TraceText.Event<DmaUnmapSgEvent>(
            "             fio-4021  [003]  5000.400000: dma_unmap_sg:         0000:01:00.0 dir=TO_DEVICE phys_addrs=2315255808 2315259904 2365587456 attrs=SKIP_CPU_SYNC");
        Assert.Equal([0x8a000000UL, 0x8a001000, 0x8d000000], traceCmd.PhysAddresses);
        Assert.Equal(DmaAttributes.SkipCpuSync, traceCmd.Attrs);
    }

    [Fact]
    public void Empty_arrays()
    {
        // A list of only P2P segments maps nothing: "{}" in tracefs, nothing in trace-cmd.
        var tracefs = TraceText.Event<DmaUnmapSgEvent>(
            "         fio-4021    [003] ..... 1.000000: dma_unmap_sg: 0000:01:00.0 dir=TO_DEVICE phys_addrs={} attrs=");
        Assert.Empty(tracefs.PhysAddresses);
        var traceCmd = TraceText.Event<DmaUnmapSgEvent>(
            "             fio-4021  [003]  1.000000: dma_unmap_sg:         0000:01:00.0 dir=TO_DEVICE phys_addrs= attrs=");
        Assert.Empty(traceCmd.PhysAddresses);
    }

    [Fact]
    public void Sync_sg_for_CPU_and_device()
    {
        // dma_sync_sg class: "dma_addrs=%s sizes=%s".
        var cpu = TraceText.Event<DmaSyncSgEvent>(
            "     kworker/1:1-88      [001] ..... 300.000400: dma_sync_sg_for_cpu: 0000:01:00.0 dir=FROM_DEVICE dma_addrs={0xfff00000,0xfff10000} sizes={0x1000,0x200}");
        Assert.Equal(TraceEventKind.DmaSyncSgForCpu, cpu.Kind);
        Assert.Equal("0000:01:00.0", cpu.Device);
        Assert.Equal(DmaDirection.FromDevice, cpu.Direction);
        Assert.Equal([0xfff00000UL, 0xfff10000], cpu.DmaAddresses);
        Assert.Equal([0x1000u, 0x200], cpu.Lengths);
        Assert.False(cpu.AffectsIommu);

        var dev = TraceText.Event<DmaSyncSgEvent>(
            "             fio-4021  [003]  5000.400000: dma_sync_sg_for_device: 0000:01:00.0 dir=TO_DEVICE dma_addrs=4293918720 sizes=4096");
        Assert.Equal(TraceEventKind.DmaSyncSgForDevice, dev.Kind);
        Assert.Equal(DmaDirection.ToDevice, dev.Direction);
        Assert.Equal([0xfff00000UL], dev.DmaAddresses);
        Assert.Equal([4096u], dev.Lengths);
        Assert.False(dev.AffectsIommu);
    }
}
