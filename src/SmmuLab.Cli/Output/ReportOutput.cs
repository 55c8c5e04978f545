using SmmuLab.Reporting.Tables;

namespace SmmuLab.Cli.Output;

/// <summary>
/// Where a command's text report goes: to a terminal, drawn with Spectre.Console
/// (<see cref="SpectreReport"/>); anywhere else (a pipe, a file, a test's writer), as plain text
/// whose tables have fixed columns (<see cref="TextReport.ToPlainText"/>).
/// </summary>
internal static class ReportOutput
{
    /// <summary>
    /// Whether <paramref name="output"/> is a terminal: the console's own writer, with standard
    /// output not redirected. Any other writer (the one a test passes to <see cref="SmmulabApp.Run(string[], TextWriter, TextWriter)"/>) is not.
    /// </summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/>, with Spectre.Console tables on a terminal.</summary>
    public static void Write(TextReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        if (IsTerminal(output))
        {
            SpectreReport.Write(report, SpectreReport.ConsoleFor(output));
        }
        else
        {
            output.Write(report.ToPlainText());
        }
    }
}
