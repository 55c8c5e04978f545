namespace SmmuLab.Reporting.Tables;

/// <summary>How a table is drawn as plain text.</summary>
public enum PlainTableStyle
{
    /// <summary>Columns separated by two spaces, padded to the widest cell of each column.</summary>
    Aligned,

    /// <summary>A Markdown (GitHub) table, its cells padded to the widest of each column: pastes into docs as it is.</summary>
    Markdown,
}

/// <summary>
/// A table of a report: columns and rows of text, drawn by <see cref="PlainTableWriter"/> (plain
/// text: widths computed from every cell, so a long table's columns never shift) or, on a terminal,
/// by the CLI with Spectre.Console. Reports hold tables and lines in a <see cref="TextReport"/>.
/// </summary>
public sealed class TextTable
{
    private readonly List<IReadOnlyList<string>> rows = [];

    /// <summary>A table with <paramref name="columns"/>.</summary>
    public TextTable(params TableColumn[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0)
        {
            throw new ArgumentException("a table needs at least one column", nameof(columns));
        }

        Columns = columns;
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows => rows;

    /// <summary>Whether the header row is drawn (a two-column list of names and counts reads without one).</summary>
    public bool ShowHeader { get; init; } = true;

    /// <summary>What every plain line starts with (the report's indentation at this point).</summary>
    public string Indent { get; init; } = string.Empty;

    /// <summary>How the plain text draws it.</summary>
    public PlainTableStyle Style { get; init; } = PlainTableStyle.Aligned;

    /// <summary>Rows (from the top, 0-based) drawn after a rule, such as a total row: none by default.</summary>
    public int? FooterFrom { get; private set; }

    /// <summary>Adds a row of exactly one cell per column.</summary>
    public TextTable AddRow(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != Columns.Count)
        {
            throw new ArgumentException($"a row of this table has {Columns.Count} cells, not {cells.Length}", nameof(cells));
        }

        rows.Add(cells);
        return this;
    }

    /// <summary>Adds a footer row (a total), drawn below the others; the footer rows follow every other row.</summary>
    public TextTable AddFooter(params string[] cells)
    {
        FooterFrom ??= rows.Count;
        return AddRow(cells);
    }
}
