using System.Text;
using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>A report as text for comparing two replays: every counter, the cost by operation, devices, problems and diagnostics.</summary>
internal static class ReportText
{
    public static string Describe(this ReplayReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{r.End} {r.ReadError} cpus {r.CpuCount} ({r.CpuCountSource}) {r.FirstTimestamp}..{r.LastTimestamp}");
        foreach (var p in typeof(ReplayCounters).GetProperties())
        {
            sb.Append(p.Name).Append('=').Append(p.GetValue(r.Counters)).Append(' ');
        }

        sb.AppendLine().AppendJoin('\n', r.CostByOperation).AppendLine();
        sb.AppendJoin(',', r.Devices).Append(" | ").AppendJoin(',', r.CreatedDevices).AppendLine();
        foreach (var problem in Enum.GetValues<ReplayProblem>())
        {
            sb.Append(problem).Append(' ').Append(r.Problems.Count(problem)).Append(": ").AppendJoin("; ", r.Problems.Samples(problem)).AppendLine();
        }

        return sb.Append(r.Diagnostics.Summarize()).ToString();
    }
}
