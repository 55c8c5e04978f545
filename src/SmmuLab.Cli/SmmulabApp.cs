using System.CommandLine;
using SmmuLab.Cli.Commands;
using SmmuLab.Encoding;
using SmmuLab.Scenarios;

namespace SmmuLab.Cli;

/// <summary>
/// The <c>smmulab</c> root command and its subcommands: <c>encode</c> and <c>decode</c> (commands and
/// structures), <c>run</c> (a scenario, with the stale-translation oracle) and <c>compare</c> (a
/// scenario under both invalidation designs).
/// </summary>
internal static class SmmulabApp
{
    /// <summary>
    /// What <c>run</c> and <c>compare</c> build scenario machines with: the driver on SMMU models
    /// (<see cref="DriverScenarioMachine"/>), with the invalidation design the scenario names. Tests
    /// pass their own factory to <see cref="Run(string[], TextWriter, TextWriter, Func{Scenario, IScenarioMachine}, TextReader)"/>.
    /// </summary>
    public static Func<Scenario, IScenarioMachine> DefaultMachineFactory => scenario => new DriverScenarioMachine(scenario);

    /// <summary>The root command with the default machine factory.</summary>
    public static RootCommand BuildRoot() => BuildRoot(DefaultMachineFactory);

    /// <summary>
    /// The root command. To add a subcommand, give it a class in <c>Commands/</c> with a static
    /// <c>Build()</c> returning a <see cref="Command"/>, and add one line to the list below.
    /// </summary>
    public static RootCommand BuildRoot(Func<Scenario, IScenarioMachine> machineFactory, TextReader? input = null)
    {
        input ??= Console.In;
        var root = new RootCommand("smmulab: an Arm SMMUv3 model and a Linux-like driver. Run and compare scenarios, replay Linux traces, benchmark DMA mapping, check and fuzz the invalidation code, encode and decode commands and structures.");
        Command[] subcommands =
        [
            EncodeCommand.Build(),
            DecodeCommand.Build(input),
            RunCommand.Build(machineFactory, input),
            CompareCommand.Build(machineFactory),
            BenchCommand.Build(),
            ReplayCommand.Build(),
            CheckCommand.Build(),
            FuzzCommand.Build(),
            ListCommand.Build(),
            HelpCommand.Build(() => BuildRoot(machineFactory, input)),
        ];
        foreach (var subcommand in subcommands)
        {
            root.Subcommands.Add(subcommand);
        }

        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>, writing to the given writers. A command line that does
    /// not parse gets one line on <paramref name="error"/> and <see cref="ExitCodes.BadInput"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, DefaultMachineFactory);

    /// <summary>
    /// As <see cref="Run(string[], TextWriter, TextWriter)"/>, with scenario machines from
    /// <paramref name="machineFactory"/>, and <paramref name="input"/> as standard input (the console's when null).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, Func<Scenario, IScenarioMachine> machineFactory, TextReader? input = null)
    {
        var root = BuildRoot(machineFactory, input);
        var parse = root.Parse(args);
        if (UnknownOption(parse) is { } unknown)
        {
            var name = parse.CommandResult.Command.Name;
            error.WriteLine($"smmulab: unknown option '{Quote(unknown)}' for {name} (see smmulab {name} --help)");
            return ExitCodes.BadInput;
        }

        if (parse.CommandResult.Command != root && parse.UnmatchedTokens.FirstOrDefault() is { } stray)
        {
            var name = parse.CommandResult.Command.Name;
            error.WriteLine($"smmulab: unexpected argument '{Quote(stray)}' for {name} (see smmulab {name} --help)");
            return ExitCodes.BadInput;
        }

        if (parse.Errors.Count > 0)
        {
            var names = string.Join(", ", root.Subcommands.Select(c => c.Name));
            var message = parse.CommandResult.Command != root
                ? Quote(parse.Errors[0].Message, int.MaxValue)
                : args.Length == 0
                    ? $"a subcommand is required ({names}); see smmulab --help"
                    : $"unknown subcommand '{Quote(args[0])}' (expected one of: {names})";
            error.WriteLine($"smmulab: {message}");
            return ExitCodes.BadInput;
        }

        return parse.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>
    /// A token that looks like an option but was taken as an argument value (an argument slot
    /// accepts any word, so <c>run --jsn</c> would otherwise open a file called <c>--jsn</c>).
    /// A lone <c>-</c> means standard input; a file whose name starts with a dash is written <c>./-name</c>.
    /// </summary>
    private static string? UnknownOption(ParseResult parse)
    {
        // A command without arguments (bench, replay's options, list) leaves the word unmatched.
        if (parse.CommandResult.Command.Parents.Any() && parse.UnmatchedTokens.FirstOrDefault(IsOptionLike) is { } unmatched)
        {
            return unmatched;
        }

        foreach (var child in parse.CommandResult.Children)
        {
            if (child is System.CommandLine.Parsing.ArgumentResult argument)
            {
                foreach (var token in argument.Tokens)
                {
                    if (IsOptionLike(token.Value))
                    {
                        return token.Value;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>A word that looks like an option: a dash and then not a digit (a lone dash is standard input).</summary>
    private static bool IsOptionLike(string word) => word.Length > 1 && word[0] == '-' && !char.IsAsciiDigit(word[1]);

    /// <summary>User text fit to quote in a message: control characters (terminal escapes) shown as \uXXXX, long text cut.</summary>
    public static string Quote(string text, int maxLength = 120)
    {
        var builder = new System.Text.StringBuilder(Math.Min(text.Length, Math.Min(maxLength, 4096) + 3));
        foreach (var c in text.Length > maxLength ? text[..maxLength] : text)
        {
            if (char.IsControl(c))
            {
                builder.Append($"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return text.Length > maxLength ? builder.Append("...").ToString() : builder.ToString();
    }

    /// <summary>Writes a result: its text to the output (exit 0), or its message to the error writer (exit 2).</summary>
    public static int Report(ParseResult parse, Result<string> result)
    {
        var config = parse.InvocationConfiguration;
        if (!result.IsSuccess)
        {
            config.Error.WriteLine($"smmulab: {result.Error}");
            return ExitCodes.BadInput;
        }

        config.Output.Write(result.Value.EndsWith('\n') ? result.Value : result.Value + "\n");
        return ExitCodes.Success;
    }
}
