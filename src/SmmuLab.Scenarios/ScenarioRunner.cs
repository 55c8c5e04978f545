using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;
using SmmuLab.Verification;

namespace SmmuLab.Scenarios;

/// <summary>
/// Runs a <see cref="Scenario"/> on an <see cref="IScenarioMachine"/>: builds the SMMUs, devices and
/// domains (step index -1, where the driver's probe happens), then carries out the steps in order,
/// checking each step's <c>expect</c>. A step the machine refuses (<see cref="ScenarioStepException"/>)
/// is a failure unless it expected <c>error</c>; the run goes on with the next step. A setup item the
/// machine refuses ends the run. The machine is not disposed: its owner does that. With an
/// oracle (<see cref="ScenarioRunOptions.Oracle"/>) every step goes through an
/// <see cref="OracleScenarioMachine"/>, and violations are traced and fail the report.
/// </summary>
public sealed class ScenarioRunner(IScenarioMachine target, ScenarioRunOptions? options = null)
{
    private readonly ScenarioRunOptions options = options ?? new ScenarioRunOptions();
    private readonly IScenarioMachine target = target;
    private IScenarioMachine machine = target;
    private readonly List<(string Name, SmmuDevice Device)> smmus = [];
    private volatile int currentStep = -1;

    /// <summary>The step being carried out: -1 during setup (probe), else the [[step]] index.</summary>
    public int CurrentStep => currentStep;

    public ScenarioReport Run(Scenario scenario)
    {
        var results = new List<StepResult>();
        int passed = 0, failed = 0;
        var stopped = false;
        var trace = options.Trace;
        var oracle = options.Oracle;
        using var checkedMachine = oracle is null ? null : new OracleScenarioMachine(target, oracle);
        machine = (IScenarioMachine?)checkedMachine ?? target;
        Action<OracleViolation>? onViolation = trace is null ? null : v => trace.Write(ScenarioTraceRecords.Violation(trace.Step, v));
        if (oracle is not null && onViolation is not null)
        {
            oracle.ViolationFound += onViolation;
        }

        SetStep(-1);
        machine.SmmuBuilt += OnSmmuBuilt;
        try
        {
            if (Setup(scenario, results))
            {
                foreach (var step in scenario.Steps)
                {
                    if (options.Stop.IsCancellationRequested)
                    {
                        stopped = true;
                        break;
                    }

                    SetStep(step.Index);
                    options.Progress?.Invoke(new ScenarioProgress(step.Index, scenario.Steps.Count, 0, 0));
                    var result = RunStep(step, scenario.Steps.Count);
                    if (trace is not null)
                    {
                        trace.Write(ScenarioTraceRecords.Step(trace.Step, result));
                    }

                    _ = result.Passed ? passed++ : failed++;
                    stopped |= result.Workload?.Stopped == true;
                    if (Keep(results, result))
                    {
                        results.Add(result);
                    }
                }
            }

            failed += results.Count(r => r.Index < 0 && !r.Passed);
        }
        finally
        {
            machine.SmmuBuilt -= OnSmmuBuilt;
            if (oracle is not null && onViolation is not null)
            {
                oracle.ViolationFound -= onViolation;
            }

            machine = target;

            // A free-running SMMU may not have reached the last commands issued without a
            // CMD_SYNC: counts taken from here on include them.
            foreach (var (_, device) in smmus)
            {
                device.DrainCommandQueue();
            }

            options.Observer?.RunEnded();

            // What the machine does from here on (its owner disposes it: detaches, CMDQV queue
            // shutdown and their CMD_SYNCs) belongs to no step.
            if (trace is not null)
            {
                trace.Step = Tracing.TraceRecord.TeardownStep;
            }

            trace?.Flush();
        }

        return new ScenarioReport(scenario, results, [.. smmus.Select(s => RunSummary.From(s.Device, [], target.Cmdqv(s.Name)))])
        {
            Oracle = oracle?.Summarize(),
            MachineLines = machine.ReportLines(),
            Passed = passed,
            Failed = failed,
            Stopped = stopped,
        };
    }

    private bool Setup(Scenario scenario, List<StepResult> results)
    {
        foreach (var spec in scenario.Smmus)
        {
            var actual = options.Mode is { } mode ? spec with { Mode = mode == ConsumptionMode.FreeRunning ? "free-running" : "inline" } : spec;
            if (!SetupItem(results, "smmu", spec.Line, $"smmu {spec.Name} [{string.Join(", ", spec.Features)}] {spec.Product}",
                () => Register(actual.Name, machine.AddSmmu(actual))))
            {
                return false;
            }
        }

        foreach (var spec in scenario.Devices)
        {
            var sids = string.Join(", ", spec.Sids.Select(s => $"0x{s:x}"));
            if (!SetupItem(results, "device", spec.Line, $"device {spec.Name} on {spec.Smmu} sids [{sids}]{(spec.Ats ? " ats" : string.Empty)}",
                () => machine.AddDevice(spec)))
            {
                return false;
            }
        }

        foreach (var spec in scenario.Domains)
        {
            if (!SetupItem(results, "domain", spec.Line, $"domain {spec.Name} ({spec.Kind})", () => machine.AddDomain(spec)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs one setup call; a refusal is recorded (and ends the run), success is not reported per item.</summary>
    private static bool SetupItem(List<StepResult> results, string kind, int line, string description, Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (ScenarioStepException e)
        {
            results.Add(new StepResult(-1, line, kind, description, false, $"setup failed: {e.Message}"));
            return false;
        }
    }

    /// <summary>Whether a step's result is kept one by one: the first ones, then failures up to the limit again.</summary>
    private bool Keep(List<StepResult> results, StepResult result)
    {
        var limit = options.StepResultLimit;
        return results.Count < limit || (!result.Passed && results.Count < 2 * limit);
    }

    private StepResult RunStep(ScenarioStep step, int steps)
    {
        DmaOutcome? dma = null;
        Machines.Workloads.WorkloadResult? workload = null;
        string? error = null;
        try
        {
            switch (step)
            {
                case AttachStep a:
                    machine.Attach(a.Device, a.Domain, a.Pasid);
                    break;
                case DetachStep d:
                    machine.Detach(d.Device, d.Pasid);
                    break;
                case MapStep m:
                    machine.Map(m.Domain, m.Iova, m.Pa, m.Size, m.Writable);
                    break;
                case UnmapStep u:
                    machine.Unmap(u.Domain, u.Iova, u.Size);
                    break;
                case FlushStep f:
                    machine.Flush(f.Domain);
                    break;
                case WaitStep w:
                    machine.Wait(w.Time);
                    break;
                case Workloads.WorkloadStep w:
                    var progress = options.Progress;
                    workload = machine.Workload(w.Device, w.Spec, options.Stop,
                        progress is null ? null : done => progress(new ScenarioProgress(w.Index, steps, done, w.Spec.Count)));
                    break;
                case DmaStep d:
                    dma = machine.Dma(d.Device, d.Iova, d.Size, d.Write, d.Pasid);
                    if (options.Trace is { } trace)
                    {
                        trace.Write(ScenarioTraceRecords.Dma(trace.Step, d, dma));
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unknown step type {step.GetType().Name}");
            }
        }
        catch (ScenarioStepException e)
        {
            error = e.Message;
        }

        var (passed, outcome) = workload is null ? Judge(step, dma, error) : Workloads.WorkloadJudge.Judge(step.Expect, workload);
        return new StepResult(step.Index, step.Line, step.OpName, step.Describe(), passed, outcome) { Dma = dma, Workload = workload };
    }

    /// <summary>Whether the step met its expectation, and what happened in words.</summary>
    private static (bool Passed, string Outcome) Judge(ScenarioStep step, DmaOutcome? dma, string? error)
    {
        var expect = step.Expect;
        if (error is not null)
        {
            return expect == StepExpectation.Error ? (true, $"error as expected: {error}") : (false, $"error: {error}");
        }

        if (dma is null)
        {
            return expect == StepExpectation.Error ? (false, "expected an error, but the step completed") : (true, "ok");
        }

        var what = dma.Ok ? $"ok, 0x{dma.Bytes:x} bytes" : $"fault ({dma.Detail ?? dma.Fault ?? "no reason given"}) after 0x{dma.Bytes:x} bytes";
        return expect switch
        {
            StepExpectation.Any => (true, what),
            StepExpectation.Ok => dma.Ok ? (true, what) : (false, $"expected ok, got {what}"),
            StepExpectation.Fault => dma.Ok ? (false, $"expected fault, got {what}") : (true, $"{what}, as expected"),
            _ => (false, $"expected an error, got {what}"),
        };
    }

    private void OnSmmuBuilt(SmmuDevice device, SmmuSpec spec) => Register(spec.Name, device);

    /// <summary>Records an SMMU (once) and starts tracing it; called when it is built and again when AddSmmu returns.</summary>
    private void Register(string name, SmmuDevice device)
    {
        if (smmus.Any(s => ReferenceEquals(s.Device, device)))
        {
            return;
        }

        smmus.Add((name, device));
        options.Trace?.Attach(device, name);
        options.Observer?.SmmuAdded(name, device);
    }

    private void SetStep(int index)
    {
        currentStep = index;
        options.Observer?.StepStarted(index);
        if (options.Oracle is { } oracle)
        {
            oracle.Step = index;
        }

        if (options.Trace is { } trace)
        {
            trace.Step = index;
        }
    }
}
