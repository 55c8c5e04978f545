using System.Text.Json;

namespace SmmuLab.Cli.Tests.Results;

/// <summary>
/// Checks a Chrome trace-event document as the Perfetto UI reads it: the envelope, every event's
/// fields for its phase, per track (pid, tid) timestamps that never go back, "X" slices that nest
/// (each either inside the open one or after it), "B"/"E" pairs that match, and counters with
/// numeric series. Returns what it found, for the caller's own checks.
/// </summary>
internal static class TraceEventChecker
{
    /// <summary>Slack for microsecond arithmetic on doubles.</summary>
    private const double Epsilon = 1e-6;

    public static TraceSummary Check(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("ns", root.GetProperty("displayTimeUnit").GetString());
        var events = root.GetProperty("traceEvents");
        Assert.Equal(JsonValueKind.Array, events.ValueKind);

        var summary = new TraceSummary();
        var lastTs = new Dictionary<(int, int), double>();
        var openSlices = new Dictionary<(int, int), Stack<double>>();
        var openBegins = new Dictionary<(int, int), int>();
        var counterTs = new Dictionary<(int, string), double>();
        foreach (var e in events.EnumerateArray())
        {
            var name = e.GetProperty("name").GetString()!;
            var ph = e.GetProperty("ph").GetString()!;
            var pid = e.GetProperty("pid").GetInt32();
            var tid = e.GetProperty("tid").GetInt32();
            var track = (pid, tid);
            summary.Phases[ph] = summary.Phases.GetValueOrDefault(ph) + 1;
            if (ph == "M")
            {
                Assert.Contains(name, (string[])["process_name", "thread_name", "process_sort_index", "thread_sort_index"]);
                var args = e.GetProperty("args");
                if (name.EndsWith("_name", StringComparison.Ordinal))
                {
                    var label = args.GetProperty("name").GetString()!;
                    Assert.False(string.IsNullOrEmpty(label));
                    if (name == "thread_name")
                    {
                        Assert.True(summary.ThreadNames.TryAdd(track, label), $"track {track} named twice");
                    }
                    else
                    {
                        summary.ProcessNames[pid] = label;
                    }
                }
                else
                {
                    Assert.Equal(JsonValueKind.Number, args.GetProperty("sort_index").ValueKind);
                }

                continue;
            }

            var ts = e.GetProperty("ts").GetDouble();
            Assert.True(double.IsFinite(ts) && ts >= 0, $"bad ts {ts}");
            if (ph == "C")
            {
                var args = e.GetProperty("args");
                Assert.NotEmpty(args.EnumerateObject());
                Assert.All(args.EnumerateObject(), p => Assert.Equal(JsonValueKind.Number, p.Value.ValueKind));
                var key = (pid, name);
                Assert.True(ts + Epsilon >= counterTs.GetValueOrDefault(key), $"counter {name} of {pid} went back in time at {ts}");
                counterTs[key] = ts;
                summary.Counters.Add((pid, name));
                continue;
            }

            Assert.True(ts + Epsilon >= lastTs.GetValueOrDefault(track), $"track {track}: {name} at {ts} before {lastTs.GetValueOrDefault(track)}");
            lastTs[track] = ts;
            Assert.True(summary.ThreadNames.ContainsKey(track), $"track {track} has events but no thread_name before them");
            var stack = openSlices.TryGetValue(track, out var s) ? s : openSlices[track] = new Stack<double>();
            while (stack.Count > 0 && stack.Peek() <= ts + Epsilon)
            {
                stack.Pop();
            }

            switch (ph)
            {
                case "X":
                    var dur = e.GetProperty("dur").GetDouble();
                    Assert.True(dur >= 0, $"negative duration {dur}");
                    var end = ts + dur;
                    if (stack.Count > 0 && end > stack.Peek() + Epsilon)
                    {
                        Assert.Fail($"track {track}: {name} [{ts}, {end}] overlaps an enclosing slice ending at {stack.Peek()}");
                    }

                    stack.Push(end);
                    summary.Slices.Add((track, name, e.TryGetProperty("cat", out var cat) ? cat.GetString()! : string.Empty));
                    break;
                case "B":
                    openBegins[track] = openBegins.GetValueOrDefault(track) + 1;
                    summary.Slices.Add((track, name, "B"));
                    break;
                case "E":
                    Assert.True(openBegins.GetValueOrDefault(track) > 0, $"track {track}: E without B");
                    openBegins[track]--;
                    break;
                case "i":
                    break;
                default:
                    Assert.Fail($"unexpected phase {ph}");
                    break;
            }
        }

        Assert.All(openBegins, kv => Assert.Equal(0, kv.Value));
        return summary;
    }
}

/// <summary>What <see cref="TraceEventChecker"/> saw.</summary>
internal sealed class TraceSummary
{
    public Dictionary<string, int> Phases { get; } = new(StringComparer.Ordinal);

    public Dictionary<int, string> ProcessNames { get; } = [];

    public Dictionary<(int Pid, int Tid), string> ThreadNames { get; } = [];

    public List<((int Pid, int Tid) Track, string Name, string Category)> Slices { get; } = [];

    public HashSet<(int Pid, string Name)> Counters { get; } = [];

    /// <summary>Slices on the track named <paramref name="thread"/> of the process named <paramref name="process"/>.</summary>
    public IEnumerable<(string Name, string Category)> On(string process, string thread) =>
        Slices.Where(s => ProcessNames.GetValueOrDefault(s.Track.Pid) == process && ThreadNames.GetValueOrDefault(s.Track) == thread)
            .Select(s => (s.Name, s.Category));
}
