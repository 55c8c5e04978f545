using SmmuLab.Cli;

return SmmulabApp.Run(args, Console.Out, Console.Error);
