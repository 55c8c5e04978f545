using System.Globalization;
using System.Text;

namespace SmmuLab.Replay.Tests;

/// <summary>
/// A large synthetic tracefs trace: per group of four lines a dma_map_phys, its iommu map, the
/// iommu unmap and the dma_unmap_phys, spread over 8 CPUs; with comments, junk, unsupported events
/// and lost-event lines at fixed intervals so the expected counts are exact.
/// </summary>
internal static class GeneratedTrace
{
    public const int CommentEvery = 1000;
    public const int JunkEvery = 2000;
    public const int UnsupportedEvery = 5000;
    public const int LostEvery = 10000;

    public static string Build(int lines, out Counts counts)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(lines * 140);
        counts = new Counts();
        long ns = 1_000_000_000;
        for (var n = 1; n <= lines; n++)
        {
            ns += 850;
            var cpu = (n / 4) % 8;
            var pid = 4000 + cpu;
            var iova = 0xfff0_0000UL - ((ulong)(n / 4 % 256) * 0x1000);
            var ts = string.Create(inv, $"{ns / 1_000_000_000,5}.{ns % 1_000_000_000 / 1000:D6}");
            var ctx = string.Create(inv, $"{"fio",16}-{pid,-7} [{cpu:D3}] ..... {ts}: ");
            if (n % LostEvery == 0)
            {
                sb.Append(inv, $"CPU:{cpu} [LOST 3 EVENTS]\n");
                counts.Lost++;
            }
            else if (n % UnsupportedEvery == 0)
            {
                sb.Append(ctx).Append(inv, $"sched_wakeup: comm=fio pid={pid} prio=120 target_cpu={cpu:D3}\n");
                counts.Unsupported++;
            }
            else if (n % JunkEvery == 0)
            {
                sb.Append("this line is not a trace record\n");
                counts.Junk++;
            }
            else if (n % CommentEvery == 0)
            {
                sb.Append("##### CPU 3 buffer started ####\n");
                counts.Comments++;
            }
            else
            {
                switch (n % 4)
                {
                    case 0:
                        sb.Append(ctx).Append(inv, $"dma_map_phys: 0000:01:00.0 dir=FROM_DEVICE dma_addr={iova:x} size=4096 phys_addr={0x8a00_0000UL + (ulong)n * 0x1000:x} attrs=\n");
                        counts.Maps++;
                        break;
                    case 1:
                        sb.Append(ctx).Append(inv, $"map: IOMMU: iova=0x{iova:x16} - 0x{iova + 0x1000:x16} paddr=0x{0x8a00_0000UL + (ulong)n * 0x1000:x16} size=4096\n");
                        break;
                    case 2:
                        sb.Append(ctx).Append(inv, $"unmap: IOMMU: iova=0x{iova:x16} - 0x{iova + 0x1000:x16} size=4096 unmapped_size=4096\n");
                        break;
                    default:
                        sb.Append(ctx).Append(inv, $"dma_unmap_phys: 0000:01:00.0 dir=FROM_DEVICE dma_addr={iova:x} size=4096 attrs=\n");
                        break;
                }

                counts.Events++;
            }
        }

        return sb.ToString();
    }

    internal sealed class Counts
    {
        public int Events { get; set; }

        public int Maps { get; set; }

        public int Comments { get; set; }

        public int Junk { get; set; }

        public int Unsupported { get; set; }

        public int Lost { get; set; }
    }
}
