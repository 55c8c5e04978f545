namespace SmmuLab.Cli.Output;

/// <summary>
/// A file a command writes (a trace, a report): written to a temporary file beside it and renamed
/// into place only when complete, so the target is either what it was or the whole new output,
/// never half of it. A path that names one of the command's inputs is refused before anything runs.
/// </summary>
public sealed class OutputFile : IDisposable
{
    private readonly string temporary;
    private FileStream? stream;
    private bool committed;

    private OutputFile(string path, string temporary, FileStream stream)
    {
        Path = path;
        this.temporary = temporary;
        this.stream = stream;
    }

    /// <summary>The file the output goes to once complete.</summary>
    public string Path { get; }

    /// <summary>Where to write (the temporary file).</summary>
    public Stream Stream => stream ?? throw new ObjectDisposedException(Path);

    /// <summary>
    /// Opens the temporary file for <paramref name="path"/>; false, after a one-line message on
    /// <paramref name="error"/>, when the path is one of <paramref name="inputs"/> or cannot be written.
    /// </summary>
    public static bool TryCreate(string path, string what, IEnumerable<string?> inputs, TextWriter error, out OutputFile? file)
    {
        file = null;
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            error.WriteLine($"smmulab: {path}: cannot write the {what}: {e.Message}");
            return false;
        }

        foreach (var input in inputs)
        {
            if (input is not null && SameFile(full, input))
            {
                error.WriteLine($"smmulab: {path}: the {what} would replace an input of this run; choose another file");
                return false;
            }
        }

        var directory = System.IO.Path.GetDirectoryName(full) ?? ".";
        var temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            file = new OutputFile(full, temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"smmulab: {path}: cannot write the {what}: {e.Message}");
            return false;
        }
    }

    /// <summary>Flushes and renames the temporary file into place; false, after a one-line message, when that fails.</summary>
    public bool Commit(TextWriter error, string what)
    {
        try
        {
            stream?.Flush(flushToDisk: false);
            stream?.Dispose();
            stream = null;
            File.Move(temporary, Path, overwrite: true);
            committed = true;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"smmulab: {Path}: cannot write the {what}: {e.Message}");
            return false;
        }
    }

    /// <summary>Closes the file; an output never committed is deleted, leaving the target as it was.</summary>
    public void Dispose()
    {
        try
        {
            stream?.Dispose();
        }
        catch (IOException)
        {
            // The output is abandoned anyway.
        }

        stream = null;
        if (!committed)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing more can be done about a temporary file that cannot be removed.
            }
        }
    }

    private static bool SameFile(string full, string input)
    {
        try
        {
            var a = new FileInfo(full);
            var b = new FileInfo(System.IO.Path.GetFullPath(input));
            var ta = a.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? a.FullName;
            var tb = b.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? b.FullName;
            return string.Equals(ta, tb, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}
