using System.Runtime.CompilerServices;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// Step 1 of the attribution rule of <c>docs/replay.md</c>: which DMA-API call holds each
/// <c>iommu:map</c>/<c>unmap</c>. Events are keyed by CPU, pid and context (process, softirq,
/// hardirq, NMI from the flag column). A call traced after its work (map, map_sg, unmap, alloc)
/// holds the pending iommu events of its key that overlap its DMA range; a call traced before its
/// work (unmap_sg, free) opens a window that holds the next overlapping unmap of its key. Pending
/// events that no call holds are handed to <see cref="IIommuEventSink.Unclaimed"/> (rules 2 to 4)
/// when their key moves on: another event of the key, an iommu event that does not continue
/// their IOVA run, lost events on the CPU, the end of the trace, or too many pending.
/// </summary>
internal sealed class IommuAttribution(IIommuEventSink sink)
{
    /// <summary>Pending events kept per CPU before the oldest are given up as unclaimed.</summary>
    public const int MaxPendingPerCpu = 4096;

    private readonly Dictionary<int, CpuState> cpus = [];

    /// <summary>The context class of a flag column: 0 process (or no flags), 1 softirq, 2 hardirq, 3 NMI.</summary>
    public static byte ContextOf(LatencyFlags? flags) =>
        flags is not { } f ? (byte)0 : f.InNmi ? (byte)3 : f.InHardIrq ? (byte)2 : f.InSoftIrq ? (byte)1 : (byte)0;

    /// <summary>An iommu map or unmap: held by an open window, or pending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnIommu(in PendingIommu e)
    {
        var state = State(e.Cpu);
        if (!e.IsMap)
        {
            var windows = state.Windows;
            for (var i = 0; i < windows.Count; i++)
            {
                var w = windows[i];
                if (w.Pid == e.Pid && w.Context == e.Context && (w.AnyRange || Overlaps(e, w.Start, w.End)))
                {
                    windows.RemoveAt(i);
                    sink.Claimed(e, w.Device, w.Start, w.End, w.AnyRange);
                    return;
                }
            }
        }

        CloseWindows(state, e.Pid, e.Context);
        var pending = state.Pending;
        for (var i = pending.Count - 1; i >= 0; i--)
        {
            var p = pending[i];
            if (p.Pid != e.Pid || p.Context != e.Context)
            {
                continue;
            }

            if (!(e.IsMap && p.IsMap && e.Iova == p.Iova + p.Size))
            {
                ReleaseKey(state, e.Pid, e.Context);
            }

            break;
        }

        if (pending.Count >= MaxPendingPerCpu)
        {
            var p = pending[0];
            ReleaseKey(state, p.Pid, p.Context);
        }

        pending.Add(e);
    }

    /// <summary>
    /// A DMA-API call traced after its work: its pending iommu events of the same direction that
    /// overlap [<paramref name="start"/>, <paramref name="end"/>) are its own; with
    /// <paramref name="anyRange"/> (a failed call, whose range is unknown) every pending event of
    /// its key is. Returns how many it held.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int OnCallAfter(int cpu, int pid, byte context, ReplayDevice device, bool isMap, ulong start, ulong end, bool anyRange = false)
    {
        var state = State(cpu);
        CloseWindows(state, pid, context);
        var pending = state.Pending;
        var held = 0;
        var kept = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var p = pending[i];
            if (p.Pid != pid || p.Context != context)
            {
                pending[kept++] = p;
                continue;
            }

            if (anyRange || (p.IsMap == isMap && Overlaps(p, start, end)))
            {
                held++;
                sink.Claimed(p, device, start, end, anyRange);
            }
            else
            {
                sink.Unclaimed(p, lost: false);
            }
        }

        pending.RemoveRange(kept, pending.Count - kept);
        return held;
    }

    /// <summary>
    /// A DMA-API call traced before its work (<c>dma_unmap_sg</c>, <c>dma_free*</c>): the next unmap
    /// of its key overlapping the range (any unmap with <paramref name="anyRange"/>) is its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnCallBefore(int cpu, int pid, byte context, ReplayDevice device, ulong start, ulong end, bool anyRange = false)
    {
        var state = State(cpu);
        ReleaseKey(state, pid, context);
        CloseWindows(state, pid, context);
        state.Windows.Add(new Window(pid, context, device, start, end, anyRange));
    }

    /// <summary>Any other event of a key: what is pending for it was not held by a call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnOther(int cpu, int pid, byte context)
    {
        if (!cpus.TryGetValue(cpu, out var state))
        {
            return;
        }

        CloseWindows(state, pid, context);
        ReleaseKey(state, pid, context);
    }

    /// <summary>Events were lost on <paramref name="cpu"/>: what is pending there can no longer be attributed.</summary>
    public void OnLost(int cpu)
    {
        if (!cpus.TryGetValue(cpu, out var state))
        {
            return;
        }

        state.Windows.Clear();
        foreach (var p in state.Pending)
        {
            sink.Unclaimed(p, lost: true);
        }

        state.Pending.Clear();
    }

    /// <summary>The end of the trace: everything pending is unclaimed.</summary>
    public void Finish()
    {
        foreach (var state in cpus.Values)
        {
            state.Windows.Clear();
            foreach (var p in state.Pending)
            {
                sink.Unclaimed(p, lost: false);
            }

            state.Pending.Clear();
        }
    }

    private static bool Overlaps(in PendingIommu e, ulong start, ulong end) => e.Iova < end && start < e.Iova + Math.Max(e.Size, 1);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CloseWindows(CpuState state, int pid, byte context)
    {
        var windows = state.Windows;
        for (var i = windows.Count - 1; i >= 0; i--)
        {
            if (windows[i].Pid == pid && windows[i].Context == context)
            {
                windows.RemoveAt(i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReleaseKey(CpuState state, int pid, byte context)
    {
        var pending = state.Pending;
        var kept = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var p = pending[i];
            if (p.Pid == pid && p.Context == context)
            {
                sink.Unclaimed(p, lost: false);
            }
            else
            {
                pending[kept++] = p;
            }
        }

        pending.RemoveRange(kept, pending.Count - kept);
    }

    private CpuState State(int cpu)
    {
        if (!cpus.TryGetValue(cpu, out var state))
        {
            cpus[cpu] = state = new CpuState();
        }

        return state;
    }

    private sealed class CpuState
    {
        public List<PendingIommu> Pending { get; } = [];

        public List<Window> Windows { get; } = [];
    }

    private readonly record struct Window(int Pid, byte Context, ReplayDevice Device, ulong Start, ulong End, bool AnyRange);
}

/// <summary>An <c>iommu:map</c> or <c>unmap</c> waiting for the DMA-API call that holds it.</summary>
internal readonly record struct PendingIommu(
    long Line, int Cpu, int Pid, byte Context, bool IsMap, ulong Iova, ulong Size, ulong PhysAddress, ulong UnmappedSize, string? Device);

/// <summary>Where <see cref="IommuAttribution"/> sends each iommu event once it is decided.</summary>
internal interface IIommuEventSink
{
    /// <summary>Held by a call of <paramref name="device"/> whose DMA range is [<paramref name="start"/>, <paramref name="end"/>) (unknown when <paramref name="anyRange"/>).</summary>
    void Claimed(in PendingIommu e, ReplayDevice device, ulong start, ulong end, bool anyRange);

    /// <summary>Held by no call; <paramref name="lost"/> when events were lost on its CPU before it was decided.</summary>
    void Unclaimed(in PendingIommu e, bool lost);
}
