using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>Runs the replay engine over test text.</summary>
internal static class Replays
{
    public static ReplayReport Run(string text, ReplayMachineSpec? machine = null, ReplayMode mode = ReplayMode.Strict, string design = "linux", int? cpus = null) =>
        ReplayEngine.Run(new StringReader(text), machine ?? ReplayMachineSpec.Default, new ReplayOptions { Mode = mode, Design = design, CpuCount = cpus });

    public static ReplayReport Run(HandTrace trace, ReplayMachineSpec? machine = null, ReplayMode mode = ReplayMode.Strict, string design = "linux") =>
        Run(trace.ToString(), machine, mode, design);

    /// <summary>Three 4 KiB maps on CPU 0 at 0, 10, 20 us, then their unmaps at 30, 40, 50 us, with their iommu events.</summary>
    public static HandTrace ThreeMapsThreeUnmaps(bool iommu = true)
    {
        var t = new HandTrace();
        t.Map(0, 0xFFFF_F000, 0x8_0000_1000, iommu: iommu)
            .Map(10, 0xFFFF_E000, 0x8_0000_2000, iommu: iommu)
            .Map(20, 0xFFFF_D000, 0x8_0000_3000, iommu: iommu)
            .Unmap(30, 0xFFFF_F000, iommu: iommu)
            .Unmap(40, 0xFFFF_E000, iommu: iommu)
            .Unmap(50, 0xFFFF_D000, iommu: iommu);
        return t;
    }

    public static string ExampleTrace(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "traces", name));
}
