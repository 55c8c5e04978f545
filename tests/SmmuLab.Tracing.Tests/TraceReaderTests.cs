using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;

namespace SmmuLab.Tracing.Tests;

/// <summary>What the writer writes, the reader reads back equal; what is not a record is refused with its line.</summary>
public class TraceReaderTests
{
    /// <summary>One record of every kind, with and without each optional key.</summary>
    private static readonly TraceRecord[] All =
    [
        new CommandTraceRecord(-1, "smmu0", CommandTraceRecord.CommandQueue, Command.CfgiAll()),
        new CommandTraceRecord(3, "smmu1", "cmdq", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 3, 5, 0x12_3000, leaf: true, tg: 1, ttl: 3, scale: 2, num: 4)),
        new CommandTraceRecord(4, "smmu0", "cmdq", Command.Sync(SyncCompletion.SIG_IRQ, 0x4000_4010, 0, msh: 3, msiAttr: 0xF)),
        new CommandTraceRecord(5, "smmu0", "cmdq", new Command(0x07, 0x1234)), // a reserved opcode
        new CommandTraceRecord(5, "smmu0", "cmdq", new Command(Command.CfgiSte(0x11, leaf: true).Dw0, 0xff), ReservedBits: true),
        new EventTraceRecord(5, "smmu0", EventRecord.Create(EventId.F_TRANSLATION, 0x20).WithAccess(read: false, false, false) with { Dw2 = 0x11000 }),
        new EventTraceRecord(6, "smmu0", EventRecord.Create(EventId.C_BAD_STE, 0x42, ssid: 3) with { Dw2 = 0x5000 }),
        new EventTraceRecord(6, "smmu0", EventRecord.Create(EventId.F_TRANSLATION, 0x30).WithFault(stage2: true, FaultClass.IN) with { Dw3 = 0x8000_0000 }),
        new EventTraceRecord(7, "smmu0", EventRecord.Create(EventId.F_STE_FETCH, 0x30) with { Dw3 = 0x4000_1238 }),
        new DmaTraceRecord(3, "nic", Write: false, 0x10000, 0x3000, Pasid: null, Ok: true, 0x3000, Fault: null),
        new DmaTraceRecord(5, "gpu", Write: true, 0x11000, 0x1000, Pasid: 7, Ok: false, 0, Fault: "F_TRANSLATION \"quoted\" \u00e9"),
        new StepTraceRecord(2, "map", 27, "map dom 0x10000+0x23000 -> 0x80000000 rw", Passed: true, "ok"),
        new StepTraceRecord(4, "attach", 40, "attach nic -> dom", Passed: false, "error: no domain named dom"),
        new ViolationTraceRecord(4, "unmapped", "nic", Smmu: null, 0, Pasid: null, 0x10000, 0x10000, Write: false, FromAtc: false, "dom", Kill: null),
        new ViolationTraceRecord(4, "stale", "nic", "smmu0", 0x20, Pasid: 1, 0x10000, 0x8000_0000, Write: true, FromAtc: true, "dom",
            new TraceKill("dom", 3, "unmap dom 0x10000+0x2000",
                new ValueList<TraceKillCommand>([new(3, "TLBI_NH_ASID", Command.TlbiNhAsid(0, 5)), new(3, "SYNC", Command.Sync(SyncCompletion.SIG_SEV))]),
                CommandsDropped: true)),
        new ViolationTraceRecord(0, "stale", "gpu", "smmu0", 0x30, null, 0x2000, 0x9000_2000, false, false, "blocked",
            new TraceKill(null, -1, "detach gpu", ValueList<TraceKillCommand>.Empty, CommandsDropped: false)),
    ];

    public static TheoryData<TraceRecord> Records => new(All.AsEnumerable());

    [Theory]
    [MemberData(nameof(Records))]
    public void Every_record_reads_back_equal(TraceRecord record)
    {
        var line = Assert.Single(Write(record).Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var read = TraceReader.Parse(line);

        Assert.Equal(record, read);
        Assert.Equal(record.Kind, read.Kind);
    }

    [Fact]
    public void A_whole_trace_reads_back_in_order_and_writes_again_byte_for_byte()
    {
        var text = Write(All);

        var read = TraceReader.Read(new StringReader(text)).ToList();

        Assert.Equal(All, read);
        Assert.Equal(text, Write([.. read]));
    }

    [Fact]
    public void Commands_and_events_of_the_writer_read_back_with_its_step()
    {
        var command = Command.CfgiSte(0x20, leaf: true);
        var ev = EventRecord.Create(EventId.C_BAD_CD, 0x20, ssid: 1);
        using var stream = new MemoryStream();
        using (var trace = new TraceWriter(stream, leaveOpen: true) { Step = 9 })
        {
            trace.WriteCommand("smmu2", command);
            trace.WriteEvent("smmu2", ev);
        }

        stream.Position = 0;
        var read = TraceReader.Read(new StreamReader(stream)).ToList();

        Assert.Equal([new CommandTraceRecord(9, "smmu2", "cmdq", command), new EventTraceRecord(9, "smmu2", ev)], read);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_errors_name_the_line()
    {
        var good = Write(new StepTraceRecord(0, "flush", 3, "flush dom", true, "ok")).TrimEnd('\n');
        var text = $"{good}\n\n{good}\n{{\"step\":1,\"kind\":\"teleport\"}}\n";

        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Read(new StringReader(text)).ToList());

        Assert.Equal(4, e.Line);
        Assert.Equal("4: unknown kind 'teleport'", e.Message);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"kind\":\"step\"}", "missing key 'step'")]
    [InlineData("{\"step\":\"1\",\"kind\":\"step\"}", "step: expected Number, got String")]
    [InlineData("{\"step\":1,\"kind\":\"command\",\"smmu\":\"s\",\"queue\":\"cmdq\",\"op\":\"SYNC\",\"dw0\":\"0x3\",\"dw1\":\"0x0\"}", "op 'SYNC' does not match dw0, which encodes CFGI_STE")]
    [InlineData("{\"step\":1,\"kind\":\"dma\",\"device\":\"d\",\"access\":\"read\",\"iova\":\"16\",\"size\":\"0x1\",\"ok\":true,\"bytes\":\"0x1\",\"fault\":null}", "iova: '16' is not a 0x-hex number")]
    [InlineData("{\"step\":1,\"kind\":\"dma\",\"device\":\"d\",\"access\":\"peek\",\"iova\":\"0x0\",\"size\":\"0x1\",\"ok\":true,\"bytes\":\"0x1\",\"fault\":null}", "access: 'peek' is neither read nor write")]
    [InlineData("{\"step\":1,\"kind\":\"violation\",\"violation\":\"stale\",\"device\":\"d\",\"sid\":\"0x100000000\"}", "sid: does not fit 32 bits")]
    public void Malformed_lines_are_refused_with_the_problem(string line, string problem)
    {
        var e = Assert.Throws<TraceFormatException>(() => TraceReader.Parse(line, 12));

        Assert.StartsWith("12: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_with_equal_lists_are_equal()
    {
        ValueList<TraceKillCommand> Commands() => new([new(1, "SYNC", Command.Sync(SyncCompletion.SIG_NONE))]);
        var a = new TraceKill("dom", 1, "unmap", Commands(), false);
        var b = new TraceKill("dom", 1, "unmap", Commands(), false);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { Commands = ValueList<TraceKillCommand>.Empty });
    }

    private static string Write(params TraceRecord[] records)
    {
        using var stream = new MemoryStream();
        using (var trace = new TraceWriter(stream, leaveOpen: true))
        {
            foreach (var record in records)
            {
                trace.Write(record);
            }
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
