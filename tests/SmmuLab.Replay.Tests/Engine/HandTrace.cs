using System.Globalization;
using System.Text;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>
/// Writes small tracefs traces by hand: each call adds one event line at a time given in
/// microseconds, on a CPU and task, in process context unless flags say otherwise.
/// </summary>
internal sealed class HandTrace
{
    public const string Nvme = "0000:01:00.0";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly StringBuilder sb = new();

    public HandTrace(int cpus = 4) => sb.Append(Inv, $"# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:{cpus}\n#\n");

    public int Lines { get; private set; } = 4;

    public HandTrace Line(long us, string ev, string payload, int cpu = 0, int pid = 100, string flags = ".....", string task = "fio")
    {
        sb.Append(Inv, $"{task,16}-{pid,-7} [{cpu:D3}] {flags} {us / 1_000_000 + 1000,5}.{us % 1_000_000:D6}: {ev}: {payload}\n");
        Lines++;
        return this;
    }

    public HandTrace Raw(string line)
    {
        sb.Append(line).Append('\n');
        Lines++;
        return this;
    }

    /// <summary>An iommu map and the dma_map_page it belongs to.</summary>
    public HandTrace Map(long us, ulong dma, ulong phys, ulong size = 4096, int cpu = 0, string device = Nvme, bool iommu = true, string dir = "FROM_DEVICE")
    {
        var iova = dma & ~0xFFFUL;
        var bytes = ((dma + size + 0xFFF) & ~0xFFFUL) - iova;
        if (iommu)
        {
            Line(us, "map", $"IOMMU: iova=0x{iova:x16} - 0x{iova + bytes:x16} paddr=0x{phys & ~0xFFFUL:x16} size={bytes}", cpu);
        }

        return Line(us, "dma_map_page", $"{device} dir={dir} dma_addr={dma:x} size={size} phys_addr={phys:x} attrs=", cpu);
    }

    /// <summary>An iommu unmap and the dma_unmap_page it belongs to.</summary>
    public HandTrace Unmap(long us, ulong dma, ulong size = 4096, int cpu = 0, string device = Nvme, bool iommu = true, string dir = "FROM_DEVICE")
    {
        var iova = dma & ~0xFFFUL;
        var bytes = ((dma + size + 0xFFF) & ~0xFFFUL) - iova;
        if (iommu)
        {
            Line(us, "unmap", $"IOMMU: iova=0x{iova:x16} - 0x{iova + bytes:x16} size={bytes} unmapped_size={bytes}", cpu);
        }

        return Line(us, "dma_unmap_page", $"{device} dir={dir} dma_addr={dma:x} size={size} attrs=", cpu);
    }

    public override string ToString() => sb.ToString();
}
