using System.Text;
using System.Text.RegularExpressions;
using SmmuLab.Cli.Output;
using SmmuLab.Reporting;
using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary>
/// Reports' tables: plain text when the output is not a terminal (every test's writer), with columns
/// as wide as their widest cell so row #1000 lines up with row #0; Spectre.Console tables on a terminal.
/// </summary>
public partial class TableOutputTests
{
    [GeneratedRegex(@"^  +(#\d+|setup) +\d+ ")]
    private static partial Regex StepRow();

    /// <summary>A scenario of <paramref name="dmas"/> DMA steps; the last <paramref name="failing"/> expect a fault that does not come.</summary>
    private static string LongScenario(int dmas, int failing)
    {
        var sb = new StringBuilder("""
            [[smmu]]
            name = "smmu0"
            features = ["s1"]

            [[device]]
            name = "nic"
            smmu = "smmu0"
            sids = [0x20]

            [[domain]]
            name = "dom"
            kind = "s1"

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

            """);
        for (var i = 0; i < dmas; i++)
        {
            sb.Append($"\n[[step]]\nop = \"dma\"\ndevice = \"nic\"\niova = 0x10000\nsize = 0x{(i % 16) + 1:x}\naccess = \"read\"\nexpect = \"{(i >= dmas - failing ? "fault" : "ok")}\"\n");
        }

        return sb.ToString();
    }

    [Fact]
    public void Plain_step_table_columns_do_not_shift_past_row_1000_and_line_10000()
    {
        using var dir = new TempDirectory("smmulab-tables");
        var path = dir.Write("long.toml", LongScenario(1500, 3));

        var (code, output, _) = CliRun.Smmulab("run", path);

        Assert.Equal(ExitCodes.Failed, code); // the last three steps fail: they are listed after the first 1000
        var lines = output.Split('\n');
        var header = lines.Single(l => Regex.IsMatch(l, @"^ +step +line  operation +outcome$"));
        var rows = lines.Where(l => StepRow().IsMatch(l)).ToList();
        Assert.Equal(1003, rows.Count);
        Assert.Contains(rows, r => Regex.IsMatch(r, @"^ +#1501 +1\d{4}  dma ")); // step #1501, at a line past 9999

        // Every row has its cells where the header has its titles: the step and line right-aligned
        // under theirs, the operation and outcome starting under theirs.
        var stepEnd = header.IndexOf("step", StringComparison.Ordinal) + "step".Length;
        var lineEnd = header.IndexOf("line", StringComparison.Ordinal) + "line".Length;
        var operation = header.IndexOf("operation", StringComparison.Ordinal);
        var outcome = header.IndexOf("outcome", StringComparison.Ordinal);
        Assert.All(rows, row =>
        {
            Assert.NotEqual(' ', row[stepEnd - 1]);
            Assert.Equal(' ', row[stepEnd]);
            Assert.NotEqual(' ', row[lineEnd - 1]);
            Assert.Equal(' ', row[lineEnd]);
            Assert.True(row[operation - 1] == ' ' && row[operation] != ' ', row);
            Assert.True(row[outcome - 1] == ' ' && (row[outcome..].StartsWith("ok", StringComparison.Ordinal) || row[outcome..].StartsWith("FAIL: ", StringComparison.Ordinal)), row);
        });
        Assert.DoesNotContain('│', output);
    }

    [Fact]
    public void A_writer_that_is_not_the_console_is_not_a_terminal()
    {
        using var writer = new StringWriter();

        Assert.False(ReportOutput.IsTerminal(writer));
    }

    [Fact]
    public void On_a_terminal_the_report_is_drawn_with_spectre_tables()
    {
        var scenario = ScenarioParser.ParseFile(Path.Combine(AppContext.BaseDirectory, "scenarios", "cmdqv.toml"));
        ScenarioReport report;
        using (var machine = new DriverScenarioMachine(scenario))
        {
            report = new ScenarioRunner(machine).Run(scenario);
        }

        using var output = new StringWriter();
        var console = SpectreReport.ConsoleFor(output, forceAnsi: true);
        console.Profile.Width = 200;

        SpectreReport.Write(report.ToTextReport(), console);

        var text = output.ToString();
        Assert.Contains("\u001b[1m", text, StringComparison.Ordinal); // ANSI: bold headers and total row
        var plain = Regex.Replace(text, "\u001b\\[[0-9;]*m", string.Empty);
        Assert.Contains("╭", plain, StringComparison.Ordinal);
        Assert.Matches(@"│\s+#3 │\s+42 │ unmap dom 0x10000\+0x4000\s+│ ok\s+│", plain);
        Assert.Matches(@"│ CMD_SYNC\s+│\s+10 │\s+7 │\s+17 │", plain);
        Assert.Matches(@"│ total\s+│\s+12 │\s+16 │\s+28 │", plain);

        // Lines outside tables are the plain text's, unchanged.
        Assert.Contains("5 steps: 5 passed, 0 failed\n", plain, StringComparison.Ordinal);
        Assert.Contains("  commands consumed: 28 (17 CMD_SYNC) = 12 on the main CMDQ + 16 on VCMDQs\n", plain, StringComparison.Ordinal);
    }
}
