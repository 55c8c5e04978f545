using System.Text;

namespace SmmuLab.Scenarios;

/// <summary>
/// Splits scenario text into the part that describes the machine and one block per [[step]]
/// table, by scanning lines: a line whose first non-blank character is '[' (outside a multi-line
/// string) starts a table. The machine part keeps every line of the file, the steps' lines
/// blanked, so its line numbers are the file's; each step block records where it starts. Steps are
/// then parsed one at a time, so a file of a million steps never holds a million syntax trees.
/// </summary>
internal static class ScenarioBlocks
{
    /// <summary>A [[step]] table's text: <paramref name="Offset"/> and <paramref name="Length"/> in the file, and its 1-based first line.</summary>
    public readonly record struct StepBlock(int Offset, int Length, int Line);

    public static (string Machine, List<StepBlock> Steps) Split(string text)
    {
        var machine = new StringBuilder(text.Length);
        var steps = new List<StepBlock>();
        var inStep = false;
        var stepStart = 0;
        var stepLine = 0;
        string? openQuote = null;
        var line = 1;
        var position = 0;
        while (position < text.Length)
        {
            var end = text.IndexOf('\n', position);
            var next = end < 0 ? text.Length : end + 1;
            var content = text.AsSpan(position, next - position);
            if (openQuote is null && IsTableHeader(content, out var isStep))
            {
                if (inStep)
                {
                    steps.Add(new StepBlock(stepStart, position - stepStart, stepLine));
                }

                inStep = isStep;
                (stepStart, stepLine) = (position, line);
            }

            openQuote = TrackMultilineStrings(content, openQuote);
            if (inStep)
            {
                machine.Append(end < 0 ? string.Empty : "\n");
            }
            else
            {
                machine.Append(content);
            }

            position = next;
            line++;
        }

        if (inStep)
        {
            steps.Add(new StepBlock(stepStart, text.Length - stepStart, stepLine));
        }

        return (machine.ToString(), steps);
    }

    /// <summary>Whether the line starts a table ([name] or [[name]]), and whether that is an array of tables named step.</summary>
    private static bool IsTableHeader(ReadOnlySpan<char> line, out bool isStep)
    {
        isStep = false;
        var t = line.TrimStart();
        if (t.IsEmpty || t[0] != '[')
        {
            return false;
        }

        if (t.Length > 1 && t[1] == '[')
        {
            var close = t.IndexOf("]]");
            if (close > 2)
            {
                var name = t[2..close].Trim().Trim('"').Trim('\'');
                isStep = name.SequenceEqual("step");
            }
        }

        return true;
    }

    /// <summary>The multi-line string delimiter still open after <paramref name="line"/>, given the one open before it.</summary>
    private static string? TrackMultilineStrings(ReadOnlySpan<char> line, string? open)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (open is null)
            {
                if (line[i] == '#')
                {
                    return null;
                }

                if (line[i..].StartsWith("\"\"\"") || line[i..].StartsWith("'''"))
                {
                    open = line.Slice(i, 3).ToString();
                    i += 3;
                    continue;
                }

                if (line[i] is '"' or '\'')
                {
                    // A one-line string: skip to its closing quote (escapes only in basic strings).
                    var quote = line[i++];
                    while (i < line.Length && line[i] != quote)
                    {
                        i += quote == '"' && line[i] == '\\' ? 2 : 1;
                    }
                }
            }
            else if (line[i..].StartsWith(open))
            {
                open = null;
                i += 3;
                continue;
            }

            i++;
        }

        return open;
    }
}
