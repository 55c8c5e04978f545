using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Simulation.Scenarios;

/// <summary>
/// Writes a run as JSON Lines: one object per command an SMMU consumed (in consumption order), per
/// event record it produced, per DMA and per step result. Every object carries <c>step</c>, the
/// index of the [[step]] being run (-1 during setup and probe), and <c>kind</c>. Command objects:
/// <c>{"step":3,"kind":"command","smmu":"smmu0","queue":"cmdq","op":"TLBI_NH_VA","dw0":"0x..","dw1":"0x..",
/// "num":"0x..",...}</c> with every field of the opcode's layout, by its lower-case spec name, as a
/// hex string. Thread-safe: a free-running SMMU consumes commands on its own thread.
/// </summary>
public sealed class TraceWriter : IDisposable
{
    private const int FlushThreshold = 64 * 1024;
    private readonly object gate = new();
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly ArrayBufferWriter<byte> buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter json;
    private readonly List<(SmmuDevice Device, Action<SmmuDevice, Command> OnCommand, Action<SmmuDevice, EventRecord> OnEvent)> attached = [];
    private volatile int step = -1;
    private bool disposed;

    public TraceWriter(Stream stream, bool leaveOpen = false)
    {
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>The step index written into every record; the runner sets it (-1 during setup).</summary>
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

            var label = name ?? smmu.Name;
            Action<SmmuDevice, Command> onCommand = (d, c) => WriteCommand(label, c, d.HasReservedBitsSet(c));
            Action<SmmuDevice, EventRecord> onEvent = (_, e) => WriteEvent(label, e);
            smmu.CommandConsumed += onCommand;
            smmu.EventRecorded += onEvent;
            attached.Add((smmu, onCommand, onEvent));
        }
    }

    /// <summary>
    /// <c>{"step":N,"kind":"command","smmu":..,"queue":"cmdq","op":..,"dw0":..,"dw1":.., fields}</c>, with
    /// <c>"reserved_bits":true</c> when the SMMU executed it with reserved bits set, ignoring them.
    /// </summary>
    public void WriteCommand(string smmu, in Command command, bool reservedBits = false)
    {
        lock (gate)
        {
            Begin("command");
            json.WriteString("smmu", smmu);
            json.WriteString("queue", "cmdq");
            var layout = CommandLayouts.For(command.Opcode);
            if (layout is null)
            {
                WriteHex("op", (byte)command.Opcode);
            }
            else
            {
                json.WriteString("op", OpName(layout.Name));
            }

            WriteHex("dw0", command.Dw0);
            WriteHex("dw1", command.Dw1);
            if (reservedBits)
            {
                json.WriteBoolean("reserved_bits", true);
            }

            if (layout is not null)
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
    }

    /// <summary><c>{"step":N,"kind":"event","smmu":..,"type":"F_TRANSLATION","sid":..,"addr":..,...}</c>.</summary>
    public void WriteEvent(string smmu, in EventRecord record)
    {
        lock (gate)
        {
            Begin("event");
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
    }

    /// <summary><c>{"step":N,"kind":"dma","device":..,"access":"read","iova":..,"size":..,"ok":..,"bytes":..,"fault":..}</c>.</summary>
    public void WriteDma(DmaStep dma, DmaOutcome outcome)
    {
        lock (gate)
        {
            Begin("dma");
            json.WriteString("device", dma.Device);
            json.WriteString("access", dma.Write ? "write" : "read");
            WriteHex("iova", dma.Iova);
            WriteHex("size", dma.Size);
            if (dma.Pasid is { } pasid)
            {
                WriteHex("pasid", pasid);
            }

            json.WriteBoolean("ok", outcome.Ok);
            WriteHex("bytes", outcome.Bytes);
            if (outcome.Fault is { } fault)
            {
                json.WriteString("fault", fault);
            }
            else
            {
                json.WriteNull("fault");
            }

            End();
        }
    }

    /// <summary><c>{"step":N,"kind":"step","op":"map","line":27,"passed":true,"outcome":"ok"}</c> at the end of each step.</summary>
    public void WriteStep(StepResult result)
    {
        lock (gate)
        {
            Begin("step");
            json.WriteString("op", result.Kind);
            json.WriteNumber("line", result.Line);
            json.WriteString("description", result.Description);
            json.WriteBoolean("passed", result.Passed);
            json.WriteString("outcome", result.Outcome);
            End();
        }
    }

    /// <summary>
    /// <c>{"step":N,"kind":"violation","violation":"stale","device":..,"smmu":..,"sid":..,"pasid":..,"iova":..,"pa":..,
    /// "access":"read","from_atc":true,"domain":..,"killed_domain":..,"killed_step":2,"killed_by":"unmap dom 0x10000+0x1000",
    /// "commands":[{"step":2,"op":"CMD_SYNC","dw0":..,"dw1":..}],"commands_dropped":false}</c>, from the stale-translation oracle.
    /// </summary>
    public void WriteViolation(Oracle.OracleViolation violation)
    {
        lock (gate)
        {
            Begin("violation");
            json.WriteString("violation", violation.KindName);
            json.WriteString("device", violation.Device);
            if (violation.Smmu is { } smmu)
            {
                json.WriteString("smmu", smmu);
            }

            WriteHex("sid", violation.StreamId);
            if (violation.Pasid is { } pasid)
            {
                WriteHex("pasid", pasid);
            }

            WriteHex("iova", violation.Iova);
            WriteHex("pa", violation.PhysicalAddress);
            json.WriteString("access", violation.Write ? "write" : "read");
            json.WriteBoolean("from_atc", violation.FromAtc);
            json.WriteString("domain", violation.Domain);
            if (violation.KilledBy is { } kill)
            {
                json.WriteString("killed_domain", violation.KilledDomain);
                json.WriteNumber("killed_step", kill.Step);
                json.WriteString("killed_by", kill.Description);
                json.WriteStartArray("commands");
                foreach (var c in violation.Commands)
                {
                    json.WriteStartObject();
                    json.WriteNumber("step", c.Step);
                    json.WriteString("op", c.Op);
                    WriteHex("dw0", c.Command.Dw0);
                    WriteHex("dw1", c.Command.Dw1);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteBoolean("commands_dropped", violation.CommandsDropped);
            }

            End();
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

            foreach (var (device, onCommand, onEvent) in attached)
            {
                device.CommandConsumed -= onCommand;
                device.EventRecorded -= onEvent;
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

    /// <summary>"CMD_TLBI_NH_VA" -> "TLBI_NH_VA".</summary>
    public static string OpName(string layoutName) => layoutName.StartsWith("CMD_", StringComparison.Ordinal) ? layoutName[4..] : layoutName;

    private void Begin(string kind)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        json.WriteStartObject();
        json.WriteNumber("step", step);
        json.WriteString("kind", kind);
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
