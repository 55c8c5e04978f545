using Tomlyn;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace SmmuLab.Scenarios;

/// <summary>
/// Tomlyn's syntax parser as the scenario reader uses it: a document nested deeper than Tomlyn
/// allows (it throws instead of reporting a diagnostic) becomes a <see cref="ScenarioFormatException"/>
/// naming the line where the nesting went too deep, like every other malformed input.
/// </summary>
internal static class TomlSyntax
{
    /// <summary>Tomlyn's limit on nested arrays and inline tables.</summary>
    private const int MaxDepth = 64;

    /// <summary>Parses <paramref name="text"/>, whose first line is line <paramref name="firstLine"/> of <paramref name="path"/>.</summary>
    public static DocumentSyntax Parse(string text, string path, int firstLine = 1)
    {
        try
        {
            return SyntaxParser.Parse(text, path, validate: true);
        }
        catch (TomlException e)
        {
            throw new ScenarioFormatException(path, firstLine - 1 + LineTooDeep(text), "value",
                $"nested more than {MaxDepth} arrays or inline tables deep ({e.Message.Split('.')[0]})");
        }
    }

    /// <summary>The 1-based line of <paramref name="text"/> where brackets and braces first nest deeper than the limit (1 when none does).</summary>
    private static int LineTooDeep(string text)
    {
        var line = 1;
        var depth = 0;
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case '[' or '{':
                    if (++depth > MaxDepth)
                    {
                        return line;
                    }

                    break;
                case ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }

        return 1;
    }
}
