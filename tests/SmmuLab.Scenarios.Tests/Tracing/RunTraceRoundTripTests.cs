using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Driver.Invalidation;
using SmmuLab.Hardware.Observation;
using SmmuLab.Scenarios.Tests.Oracle;
using SmmuLab.TestSupport.Designs;
using SmmuLab.Tracing;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios.Tests.Tracing;

/// <summary>
/// A run's trace, read back, equals the run: every command and event the SMMUs produced, every
/// step result, every DMA and every oracle violation, in order; and writing the records read gives
/// the same bytes.
/// </summary>
public class RunTraceRoundTripTests
{
    [Fact]
    public void The_default_scenarios_trace_reads_back_equal_to_the_run() =>
        AssertRoundTrip(ScenarioParser.LoadDefault(), InvalidationDesigns.Create(Scenario.DefaultInvalidation), expectViolations: false);

    [Fact]
    public void A_trace_with_stale_translation_violations_reads_back_equal_to_the_run() =>
        AssertRoundTrip(ScenarioParser.Parse(OracleScenarios.Ats, "ats.toml"), new TlbOnlyInvalidation(), expectViolations: true);

    private static void AssertRoundTrip(Scenario scenario, IInvalidationDesign design, bool expectViolations)
    {
        var commands = new List<TraceRecord>();
        var events = new List<TraceRecord>();
        using var stream = new MemoryStream();
        ScenarioReport report;
        IReadOnlyList<OracleViolation> violations;
        using (var trace = new TraceWriter(stream, leaveOpen: true))
        using (var oracle = new StaleTranslationOracle())
        using (var machine = new DriverScenarioMachine(design))
        {
            var runner = new ScenarioRunner(machine, new ScenarioRunOptions { Trace = trace, Oracle = oracle });
            machine.SmmuBuilt += (device, spec) =>
            {
                device.AddObserver(new DelegateObserver
                {
                    OnCommand = (_, c) =>
                    {
                        if (c.Queue.IsCmdq)
                        {
                            commands.Add(new CommandTraceRecord(runner.CurrentStep, spec.Name, "cmdq", c.Command));
                        }
                    },
                    OnEvent = (_, e) => events.Add(new EventTraceRecord(runner.CurrentStep, spec.Name, e)),
                });
            };
            report = runner.Run(scenario);
            violations = oracle.Violations;
        }

        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var read = TraceReader.Read(new StringReader(text)).ToList();

        Assert.Equal(text.Count(c => c == '\n'), read.Count);
        Assert.Equal(commands, read.OfType<CommandTraceRecord>());
        Assert.Equal(events, read.OfType<EventTraceRecord>());
        Assert.Equal(report.Steps.Select(s => new StepTraceRecord(s.Index, s.Kind, s.Line, s.Description, s.Passed, s.Outcome)),
            read.OfType<StepTraceRecord>());
        Assert.Equal(scenario.Steps.OfType<DmaStep>().Select(d => ScenarioTraceRecords.Dma(d.Index, d, report.Steps.Single(s => s.Index == d.Index).Dma!)),
            read.OfType<DmaTraceRecord>());
        Assert.Equal(violations.Select(v => ScenarioTraceRecords.Violation(v.Step, v)), read.OfType<ViolationTraceRecord>());
        Assert.Contains(commands, c => ((CommandTraceRecord)c).Command.Opcode == Opcode.CMD_SYNC);
        if (expectViolations)
        {
            Assert.Contains(violations, v => v.Commands.Count > 0);
        }
        else
        {
            Assert.Empty(violations);
            Assert.Contains(events, e => ((EventTraceRecord)e).Event.Id == EventId.F_TRANSLATION); // the default's two faults
        }

        using var again = new MemoryStream();
        using (var trace = new TraceWriter(again, leaveOpen: true))
        {
            read.ForEach(trace.Write);
        }

        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(again.ToArray()));
    }
}
