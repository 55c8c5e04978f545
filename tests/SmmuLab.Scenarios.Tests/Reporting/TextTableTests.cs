using SmmuLab.Reporting.Tables;

namespace SmmuLab.Scenarios.Tests.Reporting;

/// <summary>Plain tables: widths from every cell, numbers right-aligned, no trailing spaces, a rule before the total, Markdown padded.</summary>
public class TextTableTests
{
    [Fact]
    public void Columns_are_as_wide_as_their_widest_cell_and_lines_have_no_trailing_spaces()
    {
        var table = new TextTable(new TableColumn("name"), TableColumn.Number("n")) { Indent = "  " };
        table.AddRow("a", "1").AddRow("longer name", "12345").AddFooter("total", "12346");

        Assert.Equal(
            "  name             n\n" +
            "  a                1\n" +
            "  longer name  12345\n" +
            "  -----------  -----\n" +
            "  total        12346\n",
            PlainTableWriter.ToText(table));
    }

    [Fact]
    public void A_headerless_table_sizes_to_its_cells_alone()
    {
        var table = new TextTable(new TableColumn("opcode"), TableColumn.Number("count")) { ShowHeader = false };
        table.AddRow("CMD_SYNC", "7").AddRow("CMD_ATC_INV", "12");

        Assert.Equal("CMD_SYNC      7\nCMD_ATC_INV  12\n", PlainTableWriter.ToText(table));
    }

    [Fact]
    public void A_markdown_table_is_padded_and_marks_number_columns()
    {
        var table = new TextTable(new TableColumn("op"), TableColumn.Number("cmds")) { Style = PlainTableStyle.Markdown };
        table.AddRow("map", "5").AddFooter("total", "123456");

        Assert.Equal(
            "| op    |   cmds |\n" +
            "| ----- | -----: |\n" +
            "| map   |      5 |\n" +
            "| total | 123456 |\n",
            PlainTableWriter.ToText(table));
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_refused()
    {
        var table = new TextTable(new TableColumn("a"), new TableColumn("b"));

        Assert.Throws<ArgumentException>(() => table.AddRow("only one"));
    }

    [Fact]
    public void A_report_keeps_lines_and_tables_in_order()
    {
        var report = new TextReport().Line("before").Table(new TextTable(new TableColumn("x")) { ShowHeader = false }.AddRow("cell")).Lines("a\nb\n");

        Assert.Equal("before\ncell\na\nb\n", report.ToPlainText());
        Assert.Equal(4, report.Parts.Count);
    }
}
