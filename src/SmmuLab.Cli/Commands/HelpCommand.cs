using System.CommandLine;

namespace SmmuLab.Cli.Commands;

/// <summary><c>smmulab help [COMMAND]</c>: the same text as <c>smmulab [COMMAND] --help</c>.</summary>
internal static class HelpCommand
{
    public static Command Build(Func<RootCommand> root)
    {
        var name = new Argument<string?>("command") { Description = "the command to describe; every command when left out", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Describe a command and its options (as COMMAND --help)") { name };
        command.SetAction(parse =>
        {
            var config = parse.InvocationConfiguration;
            var wanted = parse.GetValue(name);
            var tree = root();
            if (wanted is not null && tree.Subcommands.All(c => c.Name != wanted))
            {
                config.Error.WriteLine($"smmulab: no command '{SmmulabApp.Quote(wanted)}' (commands: {string.Join(", ", tree.Subcommands.Select(c => c.Name))})");
                return ExitCodes.BadInput;
            }

            string[] args = wanted is null ? ["--help"] : [wanted, "--help"];
            return tree.Parse(args).Invoke(new InvocationConfiguration { Output = config.Output, Error = config.Error });
        });
        return command;
    }
}
