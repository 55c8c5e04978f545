using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SmmuLab.Benchmarks;

/// <summary>
/// The C baseline of the invalidation array (Native/invs_baseline.c), compiled with
/// <c>gcc -O2</c> when a benchmark starts and called through function pointers, so that the C#
/// merge and unref are timed against C in the same process. Needs gcc on the PATH.
/// </summary>
internal sealed unsafe class NativeInvsBaseline : IDisposable
{
    private readonly nint library;

    public NativeInvsBaseline()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Native", "invs_baseline.c");
        var output = Path.Combine(Path.GetTempPath(), $"smmulab-invs-{Environment.ProcessId}.so");
        var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-shared", "-fPIC", "-o", output, source])
        {
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("gcc could not be started: the C baseline needs gcc");
        var errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"gcc failed on {source}: {errors}");
        }

        library = NativeLibrary.Load(output);
        File.Delete(output);
        Alloc = (delegate* unmanaged<nuint, nint>)NativeLibrary.GetExport(library, "invs_alloc");
        Free = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "invs_free");
        Set = (delegate* unmanaged<nint, nuint, nint, int, uint, uint, int, void>)NativeLibrary.GetExport(library, "invs_set");
        Merge = (delegate* unmanaged<nint, nint, nint>)NativeLibrary.GetExport(library, "invs_merge");
        Unref = (delegate* unmanaged<nint, nint, void>)NativeLibrary.GetExport(library, "invs_unref");
    }

    public delegate* unmanaged<nuint, nint> Alloc { get; }

    public delegate* unmanaged<nint, void> Free { get; }

    /// <summary>(array, index, smmu, type, id, ssid, users).</summary>
    public delegate* unmanaged<nint, nuint, nint, int, uint, uint, int, void> Set { get; }

    public delegate* unmanaged<nint, nint, nint> Merge { get; }

    public delegate* unmanaged<nint, nint, void> Unref { get; }

    public void Dispose() => NativeLibrary.Free(library);
}
