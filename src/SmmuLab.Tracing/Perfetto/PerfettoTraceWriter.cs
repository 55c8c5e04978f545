using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Tracing.Perfetto;

/// <summary>
/// Writes what attached SMMUs do as Chrome trace-event JSON, the format the Perfetto UI
/// (ui.perfetto.dev) and chrome://tracing open: <c>{"displayTimeUnit":"ns","traceEvents":[...]}</c>,
/// on each SMMU's modeled time. Each SMMU is a process; its tracks (threads) are the run's steps,
/// its main CMDQ, each CMDQV VCMDQ that consumed a command, and each device that did DMA through it.
/// A command is an "X" slice from its fetch to its completion (a CMD_SYNC's slice is its wait); a
/// page of DMA is a slice over its translation; the steps are "B"/"E" slices; queue depths and TLB
/// occupancy are "C" counters; names are "M" metadata events. Events are streamed to the stream in
/// 64 KiB pieces, so memory does not grow with the run. Thread-safe.
/// </summary>
public sealed class PerfettoTraceWriter : IDisposable
{
    private const int FlushThreshold = 64 * 1024;
    private readonly object gate = new();
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly ArrayBufferWriter<byte> buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter json;
    private readonly List<(SmmuDevice Device, PerfettoSmmuObserver Observer, IDisposable Subscription)> attached = [];
    private bool disposed;
    private string? stepLabel;

    public PerfettoTraceWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        buffer.Write("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"smmulab\",\"clock\":\"modeled SMMU time\"},\"traceEvents\":[\n"u8);
    }

    /// <summary>Why writing the stream failed (the trace is then incomplete), or null.</summary>
    public string? WriteError { get; private set; }

    /// <summary>Trace events written so far.</summary>
    public long Events { get; private set; }

    /// <summary>The step stamped on commands (in their args); set it with <see cref="StepStarted"/>.</summary>
    public int Step { get; private set; } = -1;

    /// <summary>Starts exporting an SMMU (once per device): a process named <paramref name="name"/>.</summary>
    public void Attach(SmmuDevice smmu, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(smmu);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (attached.Any(a => ReferenceEquals(a.Device, smmu)))
            {
                return;
            }

            var observer = new PerfettoSmmuObserver(this, attached.Count + 1, name ?? smmu.Name);
            observer.Start(smmu);
            if (stepLabel is not null)
            {
                observer.StepStarted(smmu, stepLabel);
            }

            attached.Add((smmu, observer, smmu.AddObserver(observer)));
        }
    }

    /// <summary>
    /// Step <paramref name="index"/> (-1: setup) starts, named <paramref name="label"/>: the previous
    /// step's slice ends and this one's begins on every attached SMMU's steps track, at its clock.
    /// </summary>
    public void StepStarted(int index, string label)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            Step = index;
            stepLabel = label;
            foreach (var (device, observer, _) in attached)
            {
                observer.StepStarted(device, label);
            }
        }
    }

    /// <summary>Detaches, ends the open step slices, closes the document and flushes the stream.</summary>
    public void Dispose()
    {
        (SmmuDevice Device, PerfettoSmmuObserver Observer, IDisposable Subscription)[] detached;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            detached = [.. attached];
            attached.Clear();
        }

        // Outside the lock: a free-running SMMU may be reporting to its observer now, holding its
        // device lock and waiting for this one; a subscription is gone once Dispose returns.
        foreach (var (_, _, subscription) in detached)
        {
            subscription.Dispose();
        }

        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            foreach (var (device, observer, _) in detached)
            {
                observer.Finish(device);
            }

            buffer.Write("\n]}\n"u8);
            Drain();
            try
            {
                stream.Flush();
            }
            catch (IOException e)
            {
                WriteError ??= e.Message;
            }

            json.Dispose();
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            disposed = true;
        }
    }

    /// <summary>The lock every event is written under (observers take it: they are called on the SMMUs' threads).</summary>
    internal object Gate => gate;

    /// <summary>Starts an event object with its common fields; the caller adds more and calls <see cref="End"/>. Hold <see cref="Gate"/>.</summary>
    internal Utf8JsonWriter Begin(string name, string phase, int pid, int tid, double? nanoseconds)
    {
        if (Events > 0)
        {
            buffer.Write(",\n"u8);
        }

        json.Reset();
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("ph", phase);
        json.WriteNumber("pid", pid);
        json.WriteNumber("tid", tid);
        if (nanoseconds is { } ns)
        {
            json.WriteNumber("ts", Microseconds(ns));
        }

        return json;
    }

    /// <summary>Closes the event <see cref="Begin"/> started and writes it out when enough is buffered.</summary>
    internal void End()
    {
        json.WriteEndObject();
        json.Flush();
        Events++;
        if (buffer.WrittenCount >= FlushThreshold)
        {
            Drain();
        }
    }

    /// <summary>A metadata event naming a process or a thread (<c>process_name</c>, <c>thread_name</c>) or ordering one (<c>*_sort_index</c>).</summary>
    internal void Metadata(string kind, int pid, int tid, string? name, int? sortIndex = null)
    {
        var w = Begin(kind, "M", pid, tid, null);
        w.WriteStartObject("args");
        if (name is not null)
        {
            w.WriteString("name", name);
        }

        if (sortIndex is { } index)
        {
            w.WriteNumber("sort_index", index);
        }

        w.WriteEndObject();
        End();
    }

    /// <summary>A counter sample: <paramref name="series"/> = <paramref name="value"/> at <paramref name="nanoseconds"/>.</summary>
    internal void Counter(string name, int pid, double nanoseconds, string series, long value)
    {
        var w = Begin(name, "C", pid, 0, nanoseconds);
        w.WriteStartObject("args");
        w.WriteNumber(series, value);
        w.WriteEndObject();
        End();
    }

    /// <summary>Nanoseconds of modeled time as the format's microseconds, to the picosecond.</summary>
    internal static double Microseconds(double nanoseconds) => Math.Round(nanoseconds * 1000) / 1e6;

    /// <summary>
    /// Writes the buffer out. A write error is kept in <see cref="WriteError"/> and what follows is
    /// dropped, so a full disk never throws into the SMMU thread that reported an event.
    /// </summary>
    private void Drain()
    {
        if (WriteError is null)
        {
            try
            {
                stream.Write(buffer.WrittenSpan);
            }
            catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
            {
                WriteError = e.Message;
            }
        }

        buffer.ResetWrittenCount();
    }
}
