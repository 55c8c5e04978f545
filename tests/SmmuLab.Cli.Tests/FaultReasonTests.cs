using System.Text.Json;
using SmmuLab.Cli.Tests.Results;

namespace SmmuLab.Cli.Tests;

/// <summary>
/// A DMA fault on the run report's step line says why it happened: an STE that aborts, an F_* event
/// from the walk, a refused ATS Translation Request, an address no RAM backs; the JSON step carries
/// the same as <c>fault_reason</c> and <c>fault_detail</c>.
/// </summary>
public sealed class FaultReasonTests : IDisposable
{
    private const string Scenario = """
        [[smmu]]
        name = "smmu0"
        features = ["s1", "ats"]

        [[device]]
        name = "nic"
        smmu = "smmu0"
        sids = [0x20]

        [[device]]
        name = "atsdev"
        smmu = "smmu0"
        sids = [0x30]
        ats = true

        [[device]]
        name = "idev"
        smmu = "smmu0"
        sids = [0x40]

        [[domain]]
        name = "dom"
        kind = "s1"

        [[domain]]
        name = "id"
        kind = "identity"

        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x1000
        access = "read"
        expect = "fault"

        [[step]]
        op = "attach"
        device = "nic"
        domain = "dom"

        [[step]]
        op = "map"
        domain = "dom"
        iova = 0x10000
        pa = 0x80000000
        size = 0x1000
        writable = false

        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x1000
        access = "write"
        expect = "fault"

        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x20000
        size = 0x1000
        access = "read"
        expect = "fault"

        [[step]]
        op = "attach"
        device = "idev"
        domain = "id"

        [[step]]
        op = "dma"
        device = "idev"
        iova = 0x1000
        size = 0x1000
        access = "read"
        expect = "fault"

        [[step]]
        op = "attach"
        device = "atsdev"
        domain = "dom"

        [[step]]
        op = "dma"
        device = "atsdev"
        iova = 0x10000
        size = 0x1000
        access = "read"
        expect = "ok"

        [[step]]
        op = "unmap"
        domain = "dom"
        iova = 0x10000
        size = 0x1000

        [[step]]
        op = "dma"
        device = "atsdev"
        iova = 0x10000
        size = 0x1000
        access = "read"
        expect = "fault"
        """;

    private readonly TempDirectory dir = new("smmulab-fault-reason");

    public void Dispose() => dir.Dispose();

    [Theory]
    [InlineData(0, "ste_abort", "STE abort at 0x10000: STE.Config = abort, no event")]
    [InlineData(3, "event", "F_PERMISSION at 0x10000")]
    [InlineData(4, "event", "F_TRANSLATION at 0x20000")]
    [InlineData(6, "not_backed", "address not backed by RAM: 0x1000 -> pa 0x1000")]
    [InlineData(10, "ats_refused", "ATS refused at 0x10000: R = 0 in the Translation Completion, not mapped for reads")]
    public void A_dma_fault_says_why_on_the_step_line_and_in_the_json(int step, string reason, string detail)
    {
        var scenario = dir.Write("s.toml", Scenario);
        var json = dir.PathOf("r.json");

        var (code, text, error) = CliRun.Smmulab("run", scenario, "--json", json);

        Assert.True(code == ExitCodes.Success, error + text);
        var line = text.Split('\n').Single(l => l.TrimStart().StartsWith($"#{step} ", StringComparison.Ordinal));
        Assert.EndsWith($"fault ({detail}) after 0x0 bytes, as expected", line, StringComparison.Ordinal);

        var dma = JsonSchemas.AssertValid("run", File.ReadAllText(json)).GetProperty("steps").EnumerateArray()
            .Single(s => s.GetProperty("index").GetInt32() == step).GetProperty("dma");
        Assert.False(dma.GetProperty("ok").GetBoolean());
        Assert.Equal(reason, dma.GetProperty("fault_reason").GetString());
        Assert.Equal(detail, dma.GetProperty("fault_detail").GetString());
        Assert.Equal(reason == "event" ? detail.Split(' ')[0] : "aborted", dma.GetProperty("fault").GetString());
    }

    [Fact]
    public void A_dma_that_went_through_has_no_reason()
    {
        var (code, output, _) = CliRun.Smmulab("run", dir.Write("s.toml", Scenario), "--json", "-");

        Assert.Equal(ExitCodes.Success, code);
        var dma = JsonDocument.Parse(output).RootElement.GetProperty("steps").EnumerateArray()
            .Single(s => s.GetProperty("index").GetInt32() == 8).GetProperty("dma");
        Assert.True(dma.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, dma.GetProperty("fault_reason").ValueKind);
        Assert.Equal(JsonValueKind.Null, dma.GetProperty("fault_detail").ValueKind);
    }
}
