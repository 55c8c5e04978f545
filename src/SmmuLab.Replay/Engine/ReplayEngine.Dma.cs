using System.Runtime.CompilerServices;
using SmmuLab.Driver.Dma;
using SmmuLab.Replay.Events;
using DriverAttributes = SmmuLab.Driver.Dma.DmaAttributes;
using DriverDirection = SmmuLab.Driver.Dma.DmaDirection;
using TraceAttributes = SmmuLab.Replay.Events.DmaAttributes;
using TraceDirection = SmmuLab.Replay.Events.DmaDirection;

namespace SmmuLab.Replay.Engine;

/// <summary>The DMA-API events: each drives the DMA layer of its device's domain.</summary>
public sealed partial class ReplayEngine
{
    private const ulong Page = SgLayout.Page;

    private static ulong AlignDown(ulong a) => a & ~(Page - 1);

    private static ulong AlignUp(ulong a) => (a + Page - 1) & ~(Page - 1);

    /// <summary>The trace's direction for the driver; null for NONE (no mapping can have it).</summary>
    private static DriverDirection? Direction(TraceDirection? d) => d switch
    {
        TraceDirection.Bidirectional => DriverDirection.Bidirectional,
        TraceDirection.ToDevice => DriverDirection.ToDevice,
        TraceDirection.FromDevice => DriverDirection.FromDevice,
        _ => null,
    };

    /// <summary>The attributes the DMA layer acts on (the others change nothing the replay can see).</summary>
    private static DriverAttributes Attributes(TraceAttributes a)
    {
        var r = DriverAttributes.None;
        if ((a & TraceAttributes.Privileged) != 0)
        {
            r |= DriverAttributes.Privileged;
        }

        if ((a & TraceAttributes.Mmio) != 0)
        {
            r |= DriverAttributes.Mmio;
        }

        if ((a & TraceAttributes.RequireCoherent) != 0)
        {
            r |= DriverAttributes.RequireCoherent;
        }

        if ((a & TraceAttributes.ForceContiguous) != 0)
        {
            r |= DriverAttributes.ForceContiguous;
        }

        if ((a & TraceAttributes.SkipCpuSync) != 0)
        {
            r |= DriverAttributes.SkipCpuSync;
        }

        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnMap(in EventLine record, in DmaMapEvent e, byte context)
    {
        var ctx = record.Context;
        var device = Device(e.Device);
        if (e.IsMappingError)
        {
            counters.FailedInTrace++;
            attribution.OnCallAfter(ctx.Cpu, ctx.Pid, context, device, isMap: true, 0, 0, anyRange: true);
            return;
        }

        CountHeld(attribution.OnCallAfter(ctx.Cpu, ctx.Pid, context, device, isMap: true, AlignDown(e.DmaAddress), AlignUp(e.DmaAddress + e.Size)));
        var direction = Direction(e.Direction);
        if (device.Domain is null || e.PhysAddress is not { } phys || direction is not { } dir || e.Size == 0)
        {
            NotReplayable(record, e.Device, e.DmaAddress, device.Domain is null ? "device not set up" : e.PhysAddress is null ? "no physical address" : e.Size == 0 ? "size 0" : "direction NONE");
            return;
        }

        var attrs = Attributes(e.Attrs) | (e.Kind == TraceEventKind.DmaMapResource ? DriverAttributes.Mmio : 0);
        var dev = device.Dma(machine.DmaOptions);
        ulong ours;
        try
        {
            ours = dev.Dma.MapPhys(dev, DmaCpu(ctx.Cpu), phys, e.Size, dir, attrs);
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            meter.Charge(ReplayOperation.Map);
            Refused(record, e.Device, e.DmaAddress, x.Message);
            return;
        }

        meter.Charge(ReplayOperation.Map);
        if (ours == IommuDma.MappingError)
        {
            Refused(record, e.Device, e.DmaAddress, "mapping error (no IOVA space or page-table refusal)");
            return;
        }

        counters.Maps++;
        counters.BytesMapped += (long)e.Size;
        if (ours == e.DmaAddress)
        {
            counters.MapsMatchingTrace++;
        }

        if (!device.Singles.TryAdd(e.DmaAddress, new SingleMapping(ours, e.Size)))
        {
            StillMapped(record, e.Device, e.DmaAddress);
            device.Singles[e.DmaAddress] = new SingleMapping(ours, e.Size);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnUnmap(in EventLine record, in DmaUnmapEvent e, byte context)
    {
        var ctx = record.Context;
        var device = Device(e.Device);
        CountHeld(attribution.OnCallAfter(ctx.Cpu, ctx.Pid, context, device, isMap: false, AlignDown(e.DmaAddress), AlignUp(e.DmaAddress + e.Size)));
        if (!device.Singles.Remove(e.DmaAddress, out var mapping))
        {
            Unmatched(record, e.Device, e.DmaAddress, "no mapping at this dma_addr");
            return;
        }

        var attrs = Attributes(e.Attrs) | (e.Kind == TraceEventKind.DmaUnmapResource ? DriverAttributes.Mmio : 0);
        var dev = device.Dma(machine.DmaOptions);
        try
        {
            dev.Dma.UnmapPhys(dev, DmaCpu(ctx.Cpu), mapping.DmaAddress, e.Size == 0 ? mapping.Size : e.Size,
                Direction(e.Direction) ?? DriverDirection.Bidirectional, attrs);
            counters.Unmaps++;
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            Refused(record, e.Device, e.DmaAddress, x.Message);
        }

        meter.Charge(ReplayOperation.Unmap);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnMapSg(in EventLine record, in DmaMapSgEvent e, byte context)
    {
        var ctx = record.Context;
        var device = Device(e.Device);
        var (start, end) = TraceRange(e);
        CountHeld(attribution.OnCallAfter(ctx.Cpu, ctx.Pid, context, device, isMap: true, start, end));
        var list = SgLayout.InputList(e);
        var direction = Direction(e.Direction);
        var first = e.PhysAddresses.IsDefaultOrEmpty ? 0 : e.PhysAddresses[0];
        if (device.Domain is null || list is null || direction is not { } dir)
        {
            NotReplayable(record, e.Device, first, device.Domain is null ? "device not set up" : e.Truncated ? "list cut at 128 entries in the trace" : list is null ? "no segments" : "direction NONE");
            return;
        }

        var dev = device.Dma(machine.DmaOptions);
        var segments = new DmaSegment[list.Length];
        int count;
        try
        {
            count = dev.Dma.MapSg(dev, DmaCpu(ctx.Cpu), list, segments, dir, Attributes(e.Attrs));
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            count = DmaMapError.Invalid;
            Refused(record, e.Device, first, x.Message);
            meter.Charge(ReplayOperation.MapSg);
            return;
        }

        meter.Charge(ReplayOperation.MapSg);
        if (count < 0)
        {
            Refused(record, e.Device, first, count == DmaMapError.NoMemory ? "no IOVA space or table memory" : "page-table refusal");
            return;
        }

        counters.SgMaps++;
        foreach (var s in list)
        {
            counters.BytesMapped += s.Length;
        }

        if (SameSegments(segments, count, e))
        {
            counters.SgMapsMatchingTrace++;
        }

        device.AddSg(new SgMapping(e.PhysAddresses, segments, start, end));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OnUnmapSg(in EventLine record, in DmaUnmapSgEvent e, byte context)
    {
        var ctx = record.Context;
        var device = Device(e.Device);
        var mapping = device.TakeSg(e.PhysAddresses);
        attribution.OnCallBefore(ctx.Cpu, ctx.Pid, context, device, mapping?.TraceStart ?? 0, mapping?.TraceEnd ?? 0, anyRange: mapping is null);
        if (mapping is null)
        {
            Unmatched(record, e.Device, e.PhysAddresses.IsDefaultOrEmpty ? 0 : e.PhysAddresses[0], "no list with these physical addresses");
            return;
        }

        var dev = device.Dma(machine.DmaOptions);
        try
        {
            dev.Dma.UnmapSg(dev, DmaCpu(ctx.Cpu), mapping.Segments, Direction(e.Direction) ?? DriverDirection.Bidirectional, Attributes(e.Attrs));
            counters.SgUnmaps++;
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            Refused(record, e.Device, e.PhysAddresses[0], x.Message);
        }

        meter.Charge(ReplayOperation.UnmapSg);
    }

    private void OnAlloc(in EventLine record, TraceEventKind kind, string name, ulong dmaAddress, ulong size, TraceAttributes traceAttrs, bool failed, byte context)
    {
        var ctx = record.Context;
        var device = Device(name);
        if (failed)
        {
            counters.FailedInTrace++;
            attribution.OnCallAfter(ctx.Cpu, ctx.Pid, context, device, isMap: true, 0, 0, anyRange: true);
            return;
        }

        CountHeld(attribution.OnCallAfter(ctx.Cpu, ctx.Pid, context, device, isMap: true, AlignDown(dmaAddress), AlignUp(dmaAddress + size)));
        if (device.Domain is null || size == 0)
        {
            NotReplayable(record, name, dmaAddress, device.Domain is null ? "device not set up" : "size 0");
            return;
        }

        // dma_alloc_pages maps one contiguous block, as a single mapping does.
        var attrs = Attributes(traceAttrs) | (kind == TraceEventKind.DmaAllocPages ? DriverAttributes.ForceContiguous : 0);
        var dev = device.Dma(machine.DmaOptions);
        CoherentBuffer? buffer;
        try
        {
            buffer = dev.Dma.AllocCoherent(dev, DmaCpu(ctx.Cpu), size, attrs);
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            buffer = null;
        }

        meter.Charge(ReplayOperation.Alloc);
        if (buffer is null)
        {
            Refused(record, name, dmaAddress, "coherent allocation failed (IOVA space or page-table refusal)");
            return;
        }

        counters.Allocs++;
        counters.BytesMapped += (long)size;
        if (buffer.DmaAddress == dmaAddress)
        {
            counters.AllocsMatchingTrace++;
        }

        if (!device.Coherent.TryAdd(dmaAddress, buffer))
        {
            StillMapped(record, name, dmaAddress);
            device.Coherent[dmaAddress] = buffer;
        }
    }

    private void OnFree(in EventLine record, string name, ulong dmaAddress, ulong size, bool noOp, byte context)
    {
        var ctx = record.Context;
        var device = Device(name);
        if (noOp)
        {
            counters.NoOps++;
            attribution.OnOther(ctx.Cpu, ctx.Pid, context);
            return;
        }

        attribution.OnCallBefore(ctx.Cpu, ctx.Pid, context, device, AlignDown(dmaAddress), AlignUp(dmaAddress + size));
        if (!device.Coherent.Remove(dmaAddress, out var buffer))
        {
            Unmatched(record, name, dmaAddress, "no buffer at this dma_addr");
            return;
        }

        var dev = device.Dma(machine.DmaOptions);
        try
        {
            dev.Dma.FreeCoherent(dev, DmaCpu(ctx.Cpu), buffer);
            counters.Frees++;
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            Refused(record, name, dmaAddress, x.Message);
        }

        meter.Charge(ReplayOperation.Free);
    }

    /// <summary>The trace's DMA range of a list: from its first DMA segment to the end of the furthest one, in pages.</summary>
    private static (ulong Start, ulong End) TraceRange(in DmaMapSgEvent e)
    {
        if (e.DmaAddresses.IsDefaultOrEmpty)
        {
            return (0, 0);
        }

        var start = ulong.MaxValue;
        var end = 0UL;
        for (var i = 0; i < e.DmaAddresses.Length; i++)
        {
            var a = e.DmaAddresses[i];
            var l = i < e.Lengths.Length ? e.Lengths[i] : 0;
            start = Math.Min(start, a);
            end = Math.Max(end, a + l);
        }

        return (AlignDown(start), AlignUp(end));
    }

    private static bool SameSegments(DmaSegment[] ours, int count, in DmaMapSgEvent e)
    {
        if (count != e.OutputSegments || e.DmaAddresses.Length < count || e.Lengths.Length < count)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (ours[i].Address != e.DmaAddresses[i] || ours[i].Length != e.Lengths[i])
            {
                return false;
            }
        }

        return true;
    }

    private void CountHeld(int held)
    {
        if (held == 0)
        {
            counters.CallsWithoutIommuEvents++;
        }
    }

    private void NotReplayable(in EventLine record, string device, ulong address, string why) =>
        problems.Report(ReplayProblem.NotReplayable, record.LineNumber, What(record, device, address), why);

    private void Refused(in EventLine record, string device, ulong address, string why) =>
        problems.Report(ReplayProblem.Refused, record.LineNumber, What(record, device, address), why);

    private void Unmatched(in EventLine record, string device, ulong address, string why) =>
        problems.Report(ReplayProblem.UnmatchedUnmap, record.LineNumber, What(record, device, address), why);

    private void StillMapped(in EventLine record, string device, ulong address) =>
        problems.Report(ReplayProblem.AddressStillMapped, record.LineNumber, What(record, device, address), "mapped again before its unmap");

    private static string What(in EventLine record, string device, ulong address) =>
        $"{TraceEventNames.Of(record.Kind)} {device} 0x{address:x}";
}
