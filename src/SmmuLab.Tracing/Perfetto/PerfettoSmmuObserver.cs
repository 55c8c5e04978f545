using SmmuLab.Architecture.Commands;
using SmmuLab.Encoding;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Tracing.Perfetto;

/// <summary>
/// One SMMU as a process of a <see cref="PerfettoTraceWriter"/>: names its tracks as they appear,
/// turns its commands, translations and DMA into slices and its queue depths and TLB occupancy
/// into counters. Called under the device lock (so in the SMMU's order, on its monotonic clock);
/// takes the writer's lock for each event.
/// </summary>
internal sealed class PerfettoSmmuObserver(PerfettoTraceWriter writer, int pid, string name) : ISmmuObserver
{
    /// <summary>The steps track.</summary>
    public const int StepsTid = 1;

    /// <summary>The main CMDQ's track.</summary>
    public const int CmdqTid = 2;

    /// <summary>VCMDQ N's track is this plus N.</summary>
    public const int VcmdqTidBase = 1000;

    /// <summary>Device k's track is this plus k (in order of appearance).</summary>
    public const int DeviceTidBase = 10000;

    private readonly HashSet<int> namedQueues = [];
    private readonly Dictionary<uint, int> deviceOfStream = [];
    private readonly Dictionary<string, int> devices = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, TranslationObservation> lastTranslation = [];
    private readonly Dictionary<int, int> queueDepth = [];
    private int tlbEntries = -1;
    private bool stepOpen;
    private bool stepsNamed;

    /// <summary>Names the process (caller holds the writer's lock).</summary>
    public void Start(SmmuDevice smmu)
    {
        writer.Metadata("process_name", pid, 0, name);
        writer.Metadata("process_sort_index", pid, 0, null, pid);
        writer.Counter("TLB entries", pid, smmu.Clock.Nanoseconds, "entries", tlbEntries = smmu.TlbEntries);
    }

    /// <summary>Ends the open step and begins the next one at the SMMU's clock (caller holds the writer's lock).</summary>
    public void StepStarted(SmmuDevice smmu, string label)
    {
        var now = smmu.Clock.Nanoseconds;
        if (!stepsNamed)
        {
            writer.Metadata("thread_name", pid, StepsTid, "steps");
            writer.Metadata("thread_sort_index", pid, StepsTid, null, StepsTid);
            stepsNamed = true;
        }

        EndStep(now);
        var w = writer.Begin(label, "B", pid, StepsTid, now);
        w.WriteString("cat", "step");
        w.WriteStartObject("args");
        w.WriteNumber("step", writer.Step);
        w.WriteEndObject();
        writer.End();
        stepOpen = true;
    }

    /// <summary>Ends the open step (caller holds the writer's lock).</summary>
    public void Finish(SmmuDevice smmu) => EndStep(smmu.Clock.Nanoseconds);

    public void CommandConsumed(SmmuDevice smmu, in CommandObservation command)
    {
        lock (writer.Gate)
        {
            var tid = command.Queue.IsCmdq ? CmdqTid : VcmdqTidBase + command.Queue.Vcmdq;
            if (namedQueues.Add(tid))
            {
                writer.Metadata("thread_name", pid, tid, command.Queue.ToString());
                writer.Metadata("thread_sort_index", pid, tid, null, tid);
            }

            var op = command.Command.Opcode;
            var w = writer.Begin(OpcodeNames.SpecNameOrNumber(op), "X", pid, tid, command.StartNs);
            w.WriteNumber("dur", PerfettoTraceWriter.Microseconds(command.EndNs - command.StartNs));
            w.WriteString("cat", op == Opcode.CMD_SYNC ? "sync" : "command");
            w.WriteStartObject("args");
            w.WriteNumber("step", writer.Step);
            w.WriteString("dw0", $"0x{command.Command.Dw0:x16}");
            w.WriteString("dw1", $"0x{command.Command.Dw1:x16}");
            if (command.ReservedBitsIgnored)
            {
                w.WriteBoolean("reserved_bits_ignored", true);
            }

            w.WriteEndObject();
            writer.End();

            if (queueDepth.GetValueOrDefault(tid, -1) != command.QueueDepth)
            {
                queueDepth[tid] = command.QueueDepth;
                writer.Counter($"{command.Queue} depth", pid, command.EndNs, "entries", command.QueueDepth);
            }

            SampleTlb(smmu, command.EndNs);
        }
    }

    public void Translated(SmmuDevice smmu, in TranslationObservation translation)
    {
        lock (writer.Gate)
        {
            lastTranslation[translation.StreamId] = translation;
            if (translation.Fault is { } fault)
            {
                var tid = DeviceTrack(translation.StreamId, null);
                var w = writer.Begin($"fault {fault}", "X", pid, tid, translation.StartNs);
                w.WriteNumber("dur", PerfettoTraceWriter.Microseconds(translation.EndNs - translation.StartNs));
                w.WriteString("cat", "fault");
                w.WriteStartObject("args");
                w.WriteString("sid", $"0x{translation.StreamId:x}");
                w.WriteString("iova", $"0x{translation.Address:x}");
                w.WriteString("outcome", translation.Outcome.ToString());
                w.WriteEndObject();
                writer.End();
            }

            SampleTlb(smmu, translation.EndNs);
        }
    }

    public void DmaAccessed(SmmuDevice smmu, in DmaAccess access)
    {
        lock (writer.Gate)
        {
            var tid = DeviceTrack(access.StreamId, access.Endpoint);
            var now = smmu.Clock.Nanoseconds;
            double start = now, end = now;
            var via = "atc";
            if (!access.FromAtc && lastTranslation.Remove(access.StreamId, out var t) && t.EndNs <= now)
            {
                (start, end) = (t.StartNs, t.EndNs);
                via = t.Path switch
                {
                    TranslationPath.TlbHit => "tlb",
                    TranslationPath.Walk => "walk",
                    _ => "none",
                };
            }

            var w = writer.Begin(access.Write ? "DMA write" : "DMA read", "X", pid, tid, start);
            w.WriteNumber("dur", PerfettoTraceWriter.Microseconds(end - start));
            w.WriteString("cat", "dma");
            w.WriteStartObject("args");
            w.WriteNumber("step", writer.Step);
            w.WriteString("sid", $"0x{access.StreamId:x}");
            if (access.Pasid is { } pasid)
            {
                w.WriteNumber("pasid", pasid);
            }

            w.WriteString("iova", $"0x{access.Address:x}");
            w.WriteString("pa", $"0x{access.PhysicalAddress:x}");
            w.WriteNumber("length_bytes", access.Length);
            w.WriteString("via", via);
            w.WriteEndObject();
            writer.End();
        }
    }

    private void EndStep(double now)
    {
        if (!stepOpen)
        {
            return;
        }

        writer.Begin(string.Empty, "E", pid, StepsTid, now);
        writer.End();
        stepOpen = false;
    }

    /// <summary>The track of the device behind <paramref name="streamId"/>: its endpoint's, or one per StreamID until an endpoint is seen.</summary>
    private int DeviceTrack(uint streamId, string? endpoint)
    {
        if (endpoint is null && deviceOfStream.TryGetValue(streamId, out var known))
        {
            return known;
        }

        var key = endpoint ?? $"sid 0x{streamId:x}";
        if (!devices.TryGetValue(key, out var tid))
        {
            tid = DeviceTidBase + devices.Count;
            devices[key] = tid;
            writer.Metadata("thread_name", pid, tid, key);
            writer.Metadata("thread_sort_index", pid, tid, null, tid);
        }

        if (endpoint is not null)
        {
            deviceOfStream[streamId] = tid;
        }

        return tid;
    }

    private void SampleTlb(SmmuDevice smmu, double now)
    {
        var entries = smmu.TlbEntries;
        if (entries != tlbEntries)
        {
            tlbEntries = entries;
            writer.Counter("TLB entries", pid, now, "entries", entries);
        }
    }
}
