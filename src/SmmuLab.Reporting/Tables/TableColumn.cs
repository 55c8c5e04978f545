namespace SmmuLab.Reporting.Tables;

/// <summary>How a column's cells sit in its width.</summary>
public enum ColumnAlignment
{
    Left,

    /// <summary>Numbers: right-aligned, so digits line up.</summary>
    Right,
}

/// <summary>A column of a <see cref="TextTable"/>: its header and alignment.</summary>
public sealed record TableColumn(string Header, ColumnAlignment Alignment = ColumnAlignment.Left)
{
    /// <summary>A right-aligned (number) column.</summary>
    public static TableColumn Number(string header) => new(header, ColumnAlignment.Right);
}
