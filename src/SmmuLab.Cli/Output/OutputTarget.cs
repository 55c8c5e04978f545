namespace SmmuLab.Cli.Output;

/// <summary>
/// Where a result document goes (<c>--json</c>, <c>--perfetto</c>, <c>--plot</c>): an
/// <see cref="OutputFile"/> (temporary file, renamed into place when complete), or standard
/// output when the path is <c>-</c> and the document is text (the document is then held in memory
/// and written whole at <see cref="Commit"/>, so the text report is not interleaved with it).
/// </summary>
internal sealed class OutputTarget : IDisposable
{
    /// <summary>The path that means standard output.</summary>
    public const string StandardOutput = "-";

    private readonly OutputFile? file;
    private readonly MemoryStream? memory;

    private OutputTarget(string what, OutputFile? file, MemoryStream? memory)
    {
        What = what;
        this.file = file;
        this.memory = memory;
    }

    /// <summary>What the output is, in messages: "JSON report", "Perfetto trace", "plot".</summary>
    public string What { get; }

    /// <summary>The document goes to standard output.</summary>
    public bool IsStandardOutput => memory is not null;

    /// <summary>The file's path, or <c>-</c>.</summary>
    public string Path => file?.Path ?? StandardOutput;

    /// <summary>Where to write the document.</summary>
    public Stream Stream => (Stream?)memory ?? file!.Stream;

    /// <summary>
    /// Opens <paramref name="path"/> (nothing, and true, when it is null); false after a one-line
    /// message when it is one of <paramref name="inputs"/>, cannot be created, or is <c>-</c> for an
    /// output that standard output cannot take (<paramref name="allowStandardOutput"/> false).
    /// </summary>
    public static bool TryOpen(string? path, string what, IEnumerable<string?> inputs, bool allowStandardOutput, TextWriter error, out OutputTarget? target)
    {
        target = null;
        if (path is null)
        {
            return true;
        }

        if (path == StandardOutput)
        {
            if (!allowStandardOutput)
            {
                error.WriteLine($"smmulab: the {what} cannot go to standard output ('-'); name a file");
                return false;
            }

            target = new OutputTarget(what, null, new MemoryStream());
            return true;
        }

        if (!OutputFile.TryCreate(path, what, inputs, error, out var file))
        {
            return false;
        }

        target = new OutputTarget(what, file, null);
        return true;
    }

    /// <summary>
    /// False, after a one-line message, when two of <paramref name="outputs"/> (option, path) name
    /// the same file: each would be renamed over the other. <c>-</c> and absent ones are skipped.
    /// </summary>
    public static bool AreDistinct(TextWriter error, params (string Option, string? Path)[] outputs)
    {
        var seen = new Dictionary<string, string>(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        foreach (var (option, path) in outputs)
        {
            if (path is null or StandardOutput)
            {
                continue;
            }

            string full;
            try
            {
                full = System.IO.Path.GetFullPath(path);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
            {
                continue; // opening it reports the problem
            }

            if (seen.TryGetValue(full, out var other))
            {
                error.WriteLine($"smmulab: {path}: named by both {other} and {option}; give each output its own file");
                return false;
            }

            seen[full] = option;
        }

        return true;
    }

    /// <summary>
    /// Puts the document in place (renames the file, or writes it to <paramref name="output"/>);
    /// <see cref="ExitCodes.Success"/>, or <see cref="ExitCodes.WriteFailed"/> after a one-line message.
    /// </summary>
    public int Commit(TextWriter output, TextWriter error)
    {
        if (memory is not null)
        {
            output.Write(System.Text.Encoding.UTF8.GetString(memory.GetBuffer(), 0, (int)memory.Length));
            output.Flush();
            return ExitCodes.Success;
        }

        return file!.Commit(error, What) ? ExitCodes.Success : ExitCodes.WriteFailed;
    }

    /// <summary>Writes the document with <paramref name="write"/> and commits it; a write error is a one-line message and <see cref="ExitCodes.WriteFailed"/>.</summary>
    public int WriteAndCommit(Action<Stream> write, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            write(Stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"smmulab: {Path}: cannot write the {What}: {e.Message}");
            return ExitCodes.WriteFailed;
        }

        return Commit(output, error);
    }

    public void Dispose()
    {
        file?.Dispose();
        memory?.Dispose();
    }
}
