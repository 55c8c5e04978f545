using SmmuLab.Reporting.Tables;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SmmuLab.Cli.Output;

/// <summary>
/// Draws a <see cref="TextReport"/> on a terminal with Spectre.Console: its lines as they are (written
/// straight to the console's writer: never markup, never re-wrapped, the same bytes as the plain text)
/// and its tables with borders, numbers right-aligned, a total row in bold (cells are
/// <see cref="Text"/>, never markup, so user text cannot style or break them).
/// </summary>
internal static class SpectreReport
{
    /// <summary>
    /// A console that writes to <paramref name="output"/>: ANSI and colours as the terminal supports
    /// them, or, with <paramref name="forceAnsi"/>, ANSI always (tests render into a <see cref="StringWriter"/>).
    /// </summary>
    public static IAnsiConsole ConsoleFor(TextWriter output, bool forceAnsi = false) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = forceAnsi ? AnsiSupport.Yes : AnsiSupport.Detect,
        ColorSystem = forceAnsi ? ColorSystemSupport.Standard : ColorSystemSupport.Detect,
        Interactive = InteractionSupport.No,
    });

    /// <summary>Writes every part of <paramref name="report"/> to <paramref name="console"/>, in order.</summary>
    public static void Write(TextReport report, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(console);
        foreach (var part in report.Parts)
        {
            if (part.Table is { } table)
            {
                console.Write(Render(table));
            }
            else
            {
                console.Profile.Out.Writer.WriteLine(part.Line);
            }
        }
    }

    /// <summary>A Spectre table of <paramref name="table"/>, indented as its plain text would be.</summary>
    public static IRenderable Render(TextTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var spectre = new Table { Border = table.ShowHeader ? TableBorder.Rounded : TableBorder.None, ShowHeaders = table.ShowHeader };
        foreach (var column in table.Columns)
        {
            var right = column.Alignment == ColumnAlignment.Right;
            var c = new Spectre.Console.TableColumn(new Text(column.Header, new Style(decoration: Decoration.Bold)));
            spectre.AddColumn(right ? c.RightAligned() : c);
        }

        for (var r = 0; r < table.Rows.Count; r++)
        {
            var style = r >= table.FooterFrom ? new Style(decoration: Decoration.Bold) : Style.Plain;
            spectre.AddRow(table.Rows[r].Select(cell => (IRenderable)new Text(cell, style)));
        }

        return table.Indent.Length == 0 ? spectre : new Padder(spectre, new Padding(table.Indent.Length, 0, 0, 0));
    }
}
