using System.Reflection;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Cli.Exploring;

/// <summary>
/// The rewritten copy of the driver and the explorations that <c>smmulab check --explore</c> runs:
/// the <c>explore/</c> folder the build leaves beside the executable (Coyote.targets). It is loaded
/// once per process into an <see cref="ExploreLoadContext"/>, and its one entry point
/// (<c>SmmuLab.Exploration.CommandLineEntry.Run</c>) is called with base-library types only.
/// </summary>
internal static class RewrittenCopy
{
    /// <summary>The folder's name beside the executable.</summary>
    public const string FolderName = "explore";

    // Constants, compiled in: naming them loads nothing from the default context's copy.
    private const string EntryType = Exploration.CommandLineEntry.TypeName;
    private const string EntryMethod = nameof(Exploration.CommandLineEntry.Run);
    private const string RewrittenAttribute = "Microsoft.Coyote.Rewriting.RewritingSignatureAttribute";
    private static readonly string[] Rewritten = ["SmmuLab.Driver", "SmmuLab.Exploration"];
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Loaded = new(StringComparer.Ordinal);

    /// <summary>The signature of the entry point: iterations, seed salt, progress (index, count, name), stop; one tuple per exploration.</summary>
    private delegate IReadOnlyList<(string Name, uint Seed, int Schedules, long Steps, int Bugs, string? FirstBug, TimeSpan Elapsed)> Entry(
        uint iterations, uint salt, Action<int, int, string>? starting, CancellationToken stop);

    /// <summary>The folder beside the executable.</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, FolderName);

    /// <summary>
    /// What is missing from <paramref name="folder"/> for the explorations, as one line, or null
    /// when the rewritten driver and explorations are there. Cheap: the files are not loaded.
    /// </summary>
    private static string? Problem(string folder)
    {
        var missing = Rewritten.Where(n => !File.Exists(Path.Combine(folder, n + ".dll"))).ToList();
        return !Directory.Exists(folder) || missing.Count > 0
            ? $"--explore needs the Coyote-rewritten copy of the driver in {folder}, which is missing " +
              $"(it is built with the CLI: dotnet build src/SmmuLab.Cli); --explore-random runs without it"
            : null;
    }

    /// <summary>
    /// Checks and loads <paramref name="folder"/> (once per process): what is missing, or why its
    /// assemblies cannot be loaded or are not rewritten, as one line; null when the explorations can run.
    /// </summary>
    public static string? Prepare(string folder)
    {
        if (Problem(folder) is { } missing)
        {
            return missing;
        }

        try
        {
            Load(Path.GetFullPath(folder));
            return null;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or MissingMethodException or ArgumentException or InvalidOperationException or TypeLoadException)
        {
            return $"cannot load the explorations from {folder}: {e.Message}";
        }
    }

    /// <summary>
    /// Runs every exploration <paramref name="iterations"/> times with the seed <paramref name="seed"/>;
    /// a one-line problem instead when the folder's assemblies cannot be loaded or are not rewritten
    /// (<see cref="Prepare"/>). An exception of the explorations themselves (not a bug they found:
    /// Coyote reports those) propagates.
    /// </summary>
    public static (SystematicPhase? Phase, string? Problem) Run(string folder, uint iterations, int seed, Action<int, int, string>? starting,
        CancellationToken stop)
    {
        if (Prepare(folder) is { } problem)
        {
            return (null, problem);
        }

        var entry = Load(Path.GetFullPath(folder));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = entry(iterations, unchecked((uint)seed), starting, stop);
        clock.Stop();
        var outcomes = results.Select(r => new SystematicOutcome(r.Name, r.Seed, r.Schedules, r.Steps, r.Bugs, r.FirstBug, r.Elapsed)).ToList();
        return (new SystematicPhase(iterations, outcomes, clock.Elapsed), null);
    }

    private static Entry Load(string folder)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(folder, out var entry))
            {
                var context = new ExploreLoadContext(folder);
                foreach (var name in Rewritten)
                {
                    var assembly = context.LoadFromAssemblyName(new AssemblyName(name));
                    if (!assembly.GetCustomAttributesData().Any(a => a.AttributeType.FullName == RewrittenAttribute))
                    {
                        throw new InvalidOperationException($"{name}.dll is not rewritten by Coyote (built with -p:CoyoteRewrite=false?)");
                    }
                }

                var type = context.LoadFromAssemblyName(new AssemblyName("SmmuLab.Exploration")).GetType(EntryType, throwOnError: true)!;
                var method = type.GetMethod(EntryMethod, BindingFlags.Public | BindingFlags.Static)
                    ?? throw new MissingMethodException(EntryType, EntryMethod);
                entry = method.CreateDelegate<Entry>();
                Loaded[folder] = entry;
            }

            return entry;
        }
    }
}
