using System.Globalization;
using SmmuLab.Machines.Workloads;

namespace SmmuLab.Scenarios.Workloads;

/// <summary>Whether a workload step met its <c>expect</c>, and what it did in words.</summary>
internal static class WorkloadJudge
{
    public static (bool Passed, string Outcome) Judge(StepExpectation expect, WorkloadResult r)
    {
        var seconds = r.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? $", {(r.Buffers / seconds).ToString("N0", CultureInfo.InvariantCulture)} buffers/s" : string.Empty;
        var modeled = r.ModeledTime > TimeSpan.Zero ? $", {WorkloadText.Duration(r.ModeledTime)} simulated" : string.Empty;
        var what = $"{r.Buffers} buffers, {r.MapFailures} map failures, {r.DmaFaults} DMA faults in {seconds.ToString("0.000", CultureInfo.InvariantCulture)} s{rate}{modeled}";
        if (r.FirstFault is { } fault)
        {
            what += $"; first fault: {fault}";
        }

        if (r.Stopped)
        {
            return (false, $"stopped: {what}");
        }

        var clean = r.MapFailures == 0 && r.DmaFaults == 0;
        return expect == StepExpectation.Error
            ? (!clean, clean ? $"expected map failures or DMA faults, got {what}" : $"{what}, as expected")
            : (clean, what);
    }
}
