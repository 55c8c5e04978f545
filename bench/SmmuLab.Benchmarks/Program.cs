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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
