using System.Text.Json;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;
using SmmuLab.Reporting;
using SmmuLab.Tracing;

namespace SmmuLab.Scenarios.Tests.Reporting;

/// <summary>
/// IHI0070 4.1.5 lets an SMMU ignore non-zero reserved command fields. Under
/// <c>reserved-fields = "ignore"</c> the queue keeps running, so the report and the trace must still
/// tell a driver developer which commands had them.
/// </summary>
public class ReservedBitsReportTests
{
    /// <summary>CFGI_STE with garbage in DW1[7:1], as a known BSD driver sends it (only DW1[0], Leaf, is defined).</summary>
    private static readonly Command SloppyCfgiSte = new(Command.CfgiSte(0x11, leaf: true).Dw0, Command.CfgiSte(0x11, leaf: true).Dw1 | 0xfe);

    [Fact]
    public void Ignored_reserved_bits_are_counted_in_the_report_and_marked_in_the_trace()
    {
        using var m = new HandProgrammedMachine(new SmmuDeviceOptions { Name = "smmu0", ReservedFields = ReservedFieldPolicy.Ignore });
        using var stream = new MemoryStream();
        using (var trace = new TraceWriter(stream, leaveOpen: true))
        {
            trace.Attach(m.Smmu);
            m.Software.Submit(SloppyCfgiSte, Command.CfgiSte(0x12, leaf: true)); // Submit appends a CMD_SYNC
            trace.Flush();
        }

        var summary = RunSummary.From(m.Smmu, []);
        Assert.Equal(1, summary.ReservedBitCommands);
        Assert.Contains("commands with reserved bits set (ignored, IHI0070 4.1.5): 1", summary.Format(), StringComparison.Ordinal);

        var commands = System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement).Where(r => r.GetProperty("kind").GetString() == "command").ToList();
        var marked = commands.Where(c => c.TryGetProperty("reserved_bits", out var v) && v.GetBoolean()).ToList();
        var only = Assert.Single(marked);
        Assert.Equal(("CFGI_STE", "0x11"), (only.GetProperty("op").GetString(), only.GetProperty("sid").GetString()));
        Assert.Equal(3, commands.Count);
    }

    [Fact]
    public void Under_the_error_policy_the_command_stops_the_queue_and_the_report_has_no_reserved_line()
    {
        using var m = new HandProgrammedMachine(new SmmuDeviceOptions { Name = "smmu0" });
        var e = Assert.Throws<InvalidOperationException>(() => m.Software.Submit(SloppyCfgiSte));

        Assert.Contains(nameof(CommandError.CERROR_ILL), e.Message, StringComparison.Ordinal);
        var summary = RunSummary.From(m.Smmu, []);
        Assert.Equal(0, summary.ReservedBitCommands);
        Assert.DoesNotContain("reserved bits", summary.Format(), StringComparison.Ordinal);
        Assert.Equal(1, m.Smmu.Statistics.CommandErrors);
    }
}
