using System.Text;

namespace SmmuLab.Reporting.Tables;

/// <summary>
/// A report as its parts, in order: lines of text and <see cref="TextTable"/>s. <see cref="ToPlainText"/>
/// draws it for a file or a pipe; the CLI draws the same parts with Spectre.Console on a terminal.
/// </summary>
public sealed class TextReport
{
    private readonly List<ReportPart> parts = [];

    /// <summary>The parts, in order.</summary>
    public IReadOnlyList<ReportPart> Parts => parts;

    /// <summary>Adds one line (an empty one by default).</summary>
    public TextReport Line(string text = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        parts.Add(new ReportPart(text, null));
        return this;
    }

    /// <summary>Adds the lines of <paramref name="text"/> (a block that ends with a line break adds no empty line for it).</summary>
    public TextReport Lines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            parts.Add(new ReportPart(lines[i].TrimEnd('\r'), null));
        }

        return this;
    }

    public TextReport Table(TextTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        parts.Add(new ReportPart(null, table));
        return this;
    }

    /// <summary>Adds every part of <paramref name="other"/>.</summary>
    public TextReport Append(TextReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        parts.AddRange(other.parts);
        return this;
    }

    /// <summary>The report as plain text: its lines, and its tables by <see cref="PlainTableWriter"/>.</summary>
    public string ToPlainText()
    {
        var sb = new StringBuilder();
        foreach (var part in parts)
        {
            if (part.Table is { } table)
            {
                PlainTableWriter.Write(table, sb);
            }
            else
            {
                sb.AppendLine(part.Line);
            }
        }

        return sb.ToString();
    }
}

/// <summary>One part of a <see cref="TextReport"/>: a line of text (without its line break) or a table; exactly one is set.</summary>
public readonly record struct ReportPart(string? Line, TextTable? Table);
