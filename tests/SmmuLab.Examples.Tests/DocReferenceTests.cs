using System.Text.RegularExpressions;

namespace SmmuLab.Examples.Tests;

/// <summary>
/// The docs point at code and at each other: docs/linux-map.md names a file, type and member for
/// every Linux function, and README.md and docs/*.md link to files. These read the text of the
/// repository the tests were built from and fail on a name or link that no longer holds.
/// </summary>
public partial class DocReferenceTests
{
    private static readonly string Root = FindRoot();

    /// <summary>
    /// Every row of a table with a "SmmuLab" and a "File" column: each file exists, each
    /// <c>Type.Member</c> in the SmmuLab cell is a type declared in one of the row's files with the
    /// member named there (or the whole <c>Type.Member</c> is written in one of them, for a call
    /// such as <c>Interlocked.MemoryBarrier</c>), and each bare name appears in one of them.
    /// </summary>
    [Fact]
    public void Linux_map_names_existing_files_types_and_members()
    {
        var problems = new List<string>();
        var rows = TableRows(File.ReadAllText(Path.Combine(Root, "docs", "linux-map.md"))).ToList();
        Assert.True(rows.Count > 50, $"only {rows.Count} rows with SmmuLab and File columns found");
        foreach (var (line, smmuLab, files) in rows)
        {
            var texts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in Quoted(files))
            {
                var path = Path.Combine(Root, file);
                if (File.Exists(path))
                {
                    texts[file] = File.ReadAllText(path);
                }
                else
                {
                    problems.Add($"line {line}: no file {file}");
                }
            }

            foreach (var name in Quoted(smmuLab))
            {
                if (!NameOrMember().IsMatch(name))
                {
                    problems.Add($"line {line}: '{name}' is not a name or Type.Member");
                }
                else if (!Found(name, texts))
                {
                    problems.Add($"line {line}: {name} not found in {string.Join(", ", texts.Keys)}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Every relative Markdown link in README.md and docs/*.md reaches a file or folder.</summary>
    [Fact]
    public void Relative_links_in_README_and_docs_reach_existing_files()
    {
        var pages = Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Append(Path.Combine(Root, "README.md"));
        var problems = new List<string>();
        foreach (var page in pages)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(page)))
            {
                var target = link.Groups[1].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    problems.Add($"{Path.GetRelativePath(Root, page)}: {link.Groups[1].Value}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static bool Found(string name, Dictionary<string, string> texts)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return texts.Values.Any(t => Regex.IsMatch(t, $@"\b{name}\b"));
        }

        var type = name[..dot];
        var member = name[(dot + 1)..];
        var declaring = texts.Values.Where(t => Regex.IsMatch(t, $@"\b(class|struct|enum|interface|record)\s+{type}\b"));
        return declaring.Any(t => Regex.IsMatch(t, $@"\b{member}\b")) || texts.Values.Any(t => t.Contains(name, StringComparison.Ordinal));
    }

    /// <summary>The table rows of <paramref name="markdown"/> under a header with "SmmuLab" and "File" columns.</summary>
    private static IEnumerable<(int Line, string SmmuLab, string Files)> TableRows(string markdown)
    {
        var lines = markdown.Split('\n');
        string[]? header = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith('|'))
            {
                header = null;
                continue;
            }

            var cells = lines[i].Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (header is null)
            {
                header = cells;
                continue;
            }

            var smmuLab = Array.IndexOf(header, "SmmuLab");
            var file = Array.IndexOf(header, "File");
            if (smmuLab < 0 || file < 0 || cells.All(c => c.All(ch => ch is '-' or ':')) || cells.Length != header.Length)
            {
                continue;
            }

            yield return (i + 1, cells[smmuLab], cells[file]);
        }
    }

    private static IEnumerable<string> Quoted(string cell) => Backticked().Matches(cell).Select(m => m.Groups[1].Value);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmmuLab.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no SmmuLab.slnx above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")]
    private static partial Regex NameOrMember();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
