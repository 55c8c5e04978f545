namespace SmmuLab.Cli.Tests;

/// <summary>A new directory under the system's temporary directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory(string prefix) : IDisposable
{
    /// <summary>The directory's full path.</summary>
    public string FullName { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The path of <paramref name="name"/> in the directory (the file need not exist).</summary>
    public string PathOf(string name) => Path.Combine(FullName, name);

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the directory and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(FullName, recursive: true);
}
