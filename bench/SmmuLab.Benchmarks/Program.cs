using BenchmarkDotNet.Running;

namespace SmmuLab.Benchmarks;

public static class Program
{
    /// <summary>Runs the suites: <c>dotnet run -c Release --project bench/SmmuLab.Benchmarks -- --filter '*'</c>.</summary>
    public static void Main(string[] args)
    {
        if (args is ["--interleaved"])
        {
            InterleavedComparison.Run(Console.Out);
            return;
        }

        if (args is ["--repeat-trace", var trace, var times, var output])
        {
            ReplayTraceFiles.Repeat(trace, int.Parse(times, System.Globalization.CultureInfo.InvariantCulture), output, Console.Out);
            return;
        }

        if (args is ["--parse-file", var path, .. var rest])
        {
            ReplayTraceFiles.Parse(path, rest is [var r] ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 5, Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
