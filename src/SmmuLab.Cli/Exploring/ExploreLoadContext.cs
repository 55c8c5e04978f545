using System.Reflection;
using System.Runtime.Loader;

namespace SmmuLab.Cli.Exploring;

/// <summary>
/// The assembly load context of the rewritten copy in <c>explore/</c>: every SmmuLab assembly comes
/// from that folder (the rewritten driver and explorations, and the unrewritten libraries whose
/// types they use, so that the types agree); everything else (the base library, Microsoft.Coyote)
/// is the default context's, shared with the rest of the CLI. Not collectible: it is loaded once per
/// process and kept (<see cref="RewrittenCopy"/>), and Coyote's engine, in the default context,
/// registers handlers that would keep it alive anyway.
/// </summary>
internal sealed class ExploreLoadContext(string folder) : AssemblyLoadContext($"smmulab explore ({folder})")
{
    /// <summary>The folder the SmmuLab assemblies come from.</summary>
    public string Folder { get; } = folder;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && name.StartsWith("SmmuLab.", StringComparison.Ordinal))
        {
            var path = Path.Combine(Folder, name + ".dll");
            if (File.Exists(path))
            {
                return LoadFromAssemblyPath(path);
            }
        }

        return null;
    }
}
