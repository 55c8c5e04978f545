using System.Text;

namespace SmmuLab.Reporting.Tables;

/// <summary>
/// Draws a <see cref="TextTable"/> as plain text: every column as wide as its widest cell (header
/// included), so the columns of row 1000 are where those of row 1 are; no trailing spaces.
/// </summary>
public static class PlainTableWriter
{
    private const string Gap = "  ";

    /// <summary>Appends the table's lines to <paramref name="sb"/>.</summary>
    public static void Write(TextTable table, StringBuilder sb)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(sb);
        var widths = Widths(table);
        var markdown = table.Style == PlainTableStyle.Markdown;
        if (table.ShowHeader || markdown)
        {
            Line(sb, table, widths, [.. table.Columns.Select(c => c.Header)]);
            if (markdown)
            {
                sb.Append(table.Indent).Append('|');
                for (var i = 0; i < widths.Length; i++)
                {
                    var right = table.Columns[i].Alignment == ColumnAlignment.Right;
                    sb.Append(' ').Append('-', Math.Max(widths[i] - (right ? 1 : 0), 1)).Append(right ? ":" : string.Empty).Append(" |");
                }

                sb.AppendLine();
            }
        }

        for (var r = 0; r < table.Rows.Count; r++)
        {
            if (!markdown && r == table.FooterFrom)
            {
                sb.Append(table.Indent).AppendJoin(Gap, widths.Select(w => new string('-', w))).AppendLine();
            }

            Line(sb, table, widths, table.Rows[r]);
        }
    }

    /// <summary>The table as text, one line per row (and header, and rule).</summary>
    public static string ToText(TextTable table)
    {
        var sb = new StringBuilder();
        Write(table, sb);
        return sb.ToString();
    }

    /// <summary>Each column's width: its widest cell, header included when drawn.</summary>
    public static int[] Widths(TextTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var widths = new int[table.Columns.Count];
        for (var i = 0; i < widths.Length; i++)
        {
            widths[i] = table.ShowHeader || table.Style == PlainTableStyle.Markdown ? table.Columns[i].Header.Length : 0;
            foreach (var row in table.Rows)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        return widths;
    }

    private static void Line(StringBuilder sb, TextTable table, int[] widths, IReadOnlyList<string> cells)
    {
        var start = sb.Length;
        sb.Append(table.Indent);
        var markdown = table.Style == PlainTableStyle.Markdown;
        if (markdown)
        {
            sb.Append("| ");
        }

        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(markdown ? " | " : Gap);
            }

            var pad = widths[i] - cells[i].Length;
            if (table.Columns[i].Alignment == ColumnAlignment.Right)
            {
                sb.Append(' ', pad).Append(cells[i]);
            }
            else
            {
                sb.Append(cells[i]).Append(' ', pad);
            }
        }

        if (markdown)
        {
            sb.Append(" |");
        }

        // No trailing spaces (a last left-aligned column is padded for nothing).
        var end = sb.Length;
        while (end > start && sb[end - 1] == ' ')
        {
            end--;
        }

        sb.Length = end;
        sb.AppendLine();
    }
}
