using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Tracing;

/// <summary>
/// Writes a run as JSON Lines, one <see cref="TraceRecord"/> per line: every command an attached
/// SMMU consumes (in consumption order) and every event record it writes, stamped with
/// <see cref="Step"/>, and whatever records its owner writes (DMA, step results, violations).
/// Thread-safe: a free-running SMMU consumes commands on its own thread.
/// </summary>
public sealed class TraceWriter : IDisposable
{
    private const int FlushThreshold = 64 * 1024;
    private readonly object gate = new();
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly ArrayBufferWriter<byte> buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter json;
    private readonly List<(SmmuDevice Device, IDisposable Subscription)> attached = [];
    private volatile int step = -1;
    private bool disposed;

    public TraceWriter(Stream stream, bool leaveOpen = false)
    {
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>
    /// The step index stamped on the commands and events of attached SMMUs; the runner sets it
    /// (<see cref="TraceRecord.SetupStep"/> during setup, <see cref="TraceRecord.TeardownStep"/> after the last step).
    /// </summary>
    public int Step
    {
        get => step;
        set => step = value;
    }

    /// <summary>Records written so far.</summary>
    public long Records { get; private set; }

    /// <summary>Starts tracing an SMMU's consumed commands and events (once per device).</summary>
    public void Attach(SmmuDevice smmu, string? name = null)
    {
        lock (gate)
        {
            if (attached.Any(a => ReferenceEquals(a.Device, smmu)))
            {
                return;
            }

            attached.Add((smmu, smmu.AddObserver(new SmmuTraceObserver(this, name ?? smmu.Name))));
        }
    }

    /// <summary>
    /// A <see cref="CommandTraceRecord"/> of <paramref name="smmu"/>'s command queue, at the current <see cref="Step"/>;
    /// <paramref name="reservedBits"/> when the SMMU executed it with reserved bits set, ignoring them.
    /// </summary>
    public void WriteCommand(string smmu, in Command command, bool reservedBits = false) =>
        WriteCommand(smmu, CommandTraceRecord.CommandQueue, command, reservedBits);

    /// <summary>A <see cref="CommandTraceRecord"/> of <paramref name="queue"/> ("cmdq", "vcmdq3") at the current <see cref="Step"/>.</summary>
    public void WriteCommand(string smmu, string queue, in Command command, bool reservedBits = false)
    {
        lock (gate)
        {
            WriteCommand(step, smmu, queue, command, reservedBits);
        }
    }

    /// <summary>An <see cref="EventTraceRecord"/> at the current <see cref="Step"/>.</summary>
    public void WriteEvent(string smmu, in EventRecord record)
    {
        lock (gate)
        {
            WriteEvent(step, smmu, record);
        }
    }

    /// <summary>Writes one record as it is (its own <see cref="TraceRecord.Step"/>).</summary>
    public void Write(TraceRecord record)
    {
        lock (gate)
        {
            switch (record)
            {
                case CommandTraceRecord c:
                    WriteCommand(c.Step, c.Smmu, c.Queue, c.Command, c.ReservedBits);
                    break;
                case EventTraceRecord e:
                    WriteEvent(e.Step, e.Smmu, e.Event);
                    break;
                case DmaTraceRecord d:
                    WriteDma(d);
                    break;
                case StepTraceRecord s:
                    WriteStep(s);
                    break;
                case ViolationTraceRecord v:
                    WriteViolation(v);
                    break;
                default:
                    throw new ArgumentException($"no trace line for {record.GetType().Name}", nameof(record));
            }
        }
    }

    /// <summary>Writes buffered records to the stream and flushes it.</summary>
    public void Flush()
    {
        lock (gate)
        {
            Drain();
            stream.Flush();
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            foreach (var (_, subscription) in attached)
            {
                subscription.Dispose();
            }

            attached.Clear();
            Drain();
            stream.Flush();
            json.Dispose();
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            disposed = true;
        }
    }

    private void WriteCommand(int at, string smmu, string queue, in Command command, bool reservedBits)
    {
        Begin(at, CommandTraceRecord.KindName);
        json.WriteString("smmu", smmu);
        json.WriteString("queue", queue);
        json.WriteString("op", CommandTraceRecord.OpName(command.Opcode));
        WriteHex("dw0", command.Dw0);
        WriteHex("dw1", command.Dw1);
        if (reservedBits)
        {
            json.WriteBoolean("reserved_bits", true);
        }

        if (CommandLayouts.For(command.Opcode) is { } layout)
        {
            ReadOnlySpan<ulong> dwords = [command.Dw0, command.Dw1];
            foreach (var field in layout.Fields)
            {
                if (field.Name != CommandLayouts.Op.Name)
                {
                    WriteHex(field.Name, field.Present(dwords));
                }
            }
        }

        End();
    }

    private void WriteEvent(int at, string smmu, in EventRecord record)
    {
        Begin(at, EventTraceRecord.KindName);
        json.WriteString("smmu", smmu);
        json.WriteString("type", Enum.IsDefined(record.Id) ? record.Id.ToString() : $"0x{(byte)record.Id:x2}");
        WriteHex("sid", record.Sid);
        if (record.SsidValid)
        {
            WriteHex("ssid", record.Ssid);
        }

        WriteHex("addr", record.Address);
        json.WriteBoolean("read", record.IsRead);
        json.WriteBoolean("s2", record.IsStage2);
        json.WriteString("class", record.Class.ToString());
        if (EventRecord.LayoutFor(record.Id) == EventRecord.FetchLayout)
        {
            WriteHex("fetch", record.Fetch);
        }
        else if (record.IsStage2)
        {
            WriteHex("ipa", record.Ipa);
        }

        WriteHex("dw0", record.Dw0);
        WriteHex("dw1", record.Dw1);
        WriteHex("dw2", record.Dw2);
        WriteHex("dw3", record.Dw3);
        End();
    }

    private void WriteDma(DmaTraceRecord dma)
    {
        Begin(dma.Step, DmaTraceRecord.KindName);
        json.WriteString("device", dma.Device);
        json.WriteString("access", dma.Write ? "write" : "read");
        WriteHex("iova", dma.Iova);
        WriteHex("size", dma.Size);
        if (dma.Pasid is { } pasid)
        {
            WriteHex("pasid", pasid);
        }

        json.WriteBoolean("ok", dma.Ok);
        WriteHex("bytes", dma.Bytes);
        if (dma.Fault is { } fault)
        {
            json.WriteString("fault", fault);
        }
        else
        {
            json.WriteNull("fault");
        }

        End();
    }

    private void WriteStep(StepTraceRecord result)
    {
        Begin(result.Step, StepTraceRecord.KindName);
        json.WriteString("op", result.Op);
        json.WriteNumber("line", result.Line);
        json.WriteString("description", result.Description);
        json.WriteBoolean("passed", result.Passed);
        json.WriteString("outcome", result.Outcome);
        End();
    }

    private void WriteViolation(ViolationTraceRecord violation)
    {
        Begin(violation.Step, ViolationTraceRecord.KindName);
        json.WriteString("violation", violation.Violation);
        json.WriteString("device", violation.Device);
        if (violation.Smmu is { } smmu)
        {
            json.WriteString("smmu", smmu);
        }

        WriteHex("sid", violation.Sid);
        if (violation.Pasid is { } pasid)
        {
            WriteHex("pasid", pasid);
        }

        WriteHex("iova", violation.Iova);
        WriteHex("pa", violation.Pa);
        json.WriteString("access", violation.Write ? "write" : "read");
        json.WriteBoolean("from_atc", violation.FromAtc);
        json.WriteString("domain", violation.Domain);
        if (violation.Kill is { } kill)
        {
            json.WriteString("killed_domain", kill.Domain);
            json.WriteNumber("killed_step", kill.Step);
            json.WriteString("killed_by", kill.By);
            json.WriteStartArray("commands");
            foreach (var c in kill.Commands)
            {
                json.WriteStartObject();
                json.WriteNumber("step", c.Step);
                json.WriteString("op", c.Op);
                WriteHex("dw0", c.Command.Dw0);
                WriteHex("dw1", c.Command.Dw1);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteBoolean("commands_dropped", kill.CommandsDropped);
        }

        End();
    }

    private void Begin(int at, string kind)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        json.WriteStartObject();
        json.WriteNumber("step", at);
        json.WriteString("kind", kind);
        if (TraceRecord.PhaseOf(at) is { } phase)
        {
            json.WriteString("phase", phase);
        }
    }

    private void End()
    {
        json.WriteEndObject();
        json.Flush();
        json.Reset();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        Records++;
        if (buffer.WrittenCount >= FlushThreshold)
        {
            Drain();
        }
    }

    private void Drain()
    {
        if (buffer.WrittenCount > 0)
        {
            stream.Write(buffer.WrittenSpan);
            buffer.ResetWrittenCount();
        }
    }

    private void WriteHex(string name, ulong value)
    {
        Span<char> text = stackalloc char[18];
        text[0] = '0';
        text[1] = 'x';
        value.TryFormat(text[2..], out var written, "x");
        json.WriteString(name, text[..(written + 2)]);
    }
}
