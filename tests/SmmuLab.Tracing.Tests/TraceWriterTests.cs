using System.Text.Json;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;

namespace SmmuLab.Tracing.Tests;

public class TraceWriterTests
{
    [Fact]
    public void Command_record_carries_every_layout_field()
    {
        using var stream = new MemoryStream();
        using (var trace = new TraceWriter(stream, leaveOpen: true) { Step = 7 })
        {
            trace.WriteCommand("smmu1", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 3, 5, 0x12_3000, leaf: true, tg: 1, ttl: 3, scale: 2, num: 4));
        }

        var line = Assert.Single(Lines(stream));
        var r = JsonDocument.Parse(line).RootElement;
        Assert.Equal(7, r.GetProperty("step").GetInt32());
        Assert.Equal(("command", "smmu1", "TLBI_NH_VA"), (Kind(r), r.GetProperty("smmu").GetString(), Op(r)));
        foreach (var field in CommandLayouts.For(Opcode.CMD_TLBI_NH_VA)!.Fields.Where(f => f.Name != "op"))
        {
            Assert.True(r.TryGetProperty(field.Name, out _), $"missing {field.Name}");
        }

        Assert.Equal(("0x4", "0x2", "0x3", "0x5", "0x1", "0x123000"),
            (r.GetProperty("num").GetString(), r.GetProperty("scale").GetString(), r.GetProperty("vmid").GetString(),
             r.GetProperty("asid").GetString(), r.GetProperty("leaf").GetString(), r.GetProperty("addr").GetString()));
        Assert.StartsWith("{\"step\":7,\"kind\":\"command\",\"smmu\":\"smmu1\",\"queue\":\"cmdq\",\"op\":\"TLBI_NH_VA\",\"dw0\":\"0x", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_record_names_the_type()
    {
        using var stream = new MemoryStream();
        using (var trace = new TraceWriter(stream, leaveOpen: true))
        {
            trace.WriteEvent("smmu0", EventRecord.Create(EventId.C_BAD_STE, 0x42, ssid: 3) with { Dw2 = 0x5000 });
        }

        var r = JsonDocument.Parse(Assert.Single(Lines(stream))).RootElement;
        Assert.Equal((-1, "event", "C_BAD_STE", "0x42", "0x3", "0x5000"),
            (r.GetProperty("step").GetInt32(), Kind(r), r.GetProperty("type").GetString(), r.GetProperty("sid").GetString(),
             r.GetProperty("ssid").GetString(), r.GetProperty("addr").GetString()));
    }

    [Fact]
    public void Many_records_are_all_written()
    {
        using var stream = new MemoryStream();
        using (var trace = new TraceWriter(stream, leaveOpen: true))
        {
            for (var i = 0; i < 5000; i++)
            {
                trace.Step = i;
                trace.WriteCommand("smmu0", Command.CfgiSte((uint)i, leaf: true));
            }

            Assert.Equal(5000, trace.Records);
        }

        var lines = Lines(stream);
        Assert.Equal(5000, lines.Count);
        Assert.Equal(4999, JsonDocument.Parse(lines[^1]).RootElement.GetProperty("step").GetInt32());
    }

    private static List<string> Lines(MemoryStream stream) =>
        [.. System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    private static string? Kind(JsonElement r) => r.GetProperty("kind").GetString();

    private static string? Op(JsonElement r) => r.GetProperty("op").GetString();
}
