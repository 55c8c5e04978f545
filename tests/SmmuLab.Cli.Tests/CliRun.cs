using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Tests;

/// <summary>Runs the whole command line in process and checks its usage errors.</summary>
internal static class CliRun
{
    /// <summary><c>smmulab ARGS</c> on the default scenario machines: exit code, standard output, standard error.</summary>
    public static (int Code, string Out, string Err) Smmulab(params string[] args) =>
        Smmulab(SmmulabApp.DefaultMachineFactory, args);

    /// <summary><c>smmulab ARGS</c> with scenario machines from <paramref name="factory"/>.</summary>
    public static (int Code, string Out, string Err) Smmulab(Func<Scenario, IScenarioMachine> factory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = SmmulabApp.Run(args, output, error, factory);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary><c>smmulab ARGS</c> with <paramref name="input"/> as standard input.</summary>
    public static (int Code, string Out, string Err) SmmulabWithInput(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        var code = SmmulabApp.Run(args, output, error, SmmulabApp.DefaultMachineFactory, reader);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Exit code 2, nothing on standard output, one "smmulab: " line on standard error (containing <paramref name="message"/> when given).</summary>
    public static void AssertUsageError((int Code, string Out, string Err) result, string? message = null)
    {
        var (code, output, error) = result;
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith("smmulab: ", error, StringComparison.Ordinal);
        if (message is not null)
        {
            Assert.Contains(message, error, StringComparison.Ordinal);
        }

        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
