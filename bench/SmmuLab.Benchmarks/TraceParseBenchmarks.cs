using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using SmmuLab.Replay.Events;
using SmmuLab.Replay.Parsing;

namespace SmmuLab.Benchmarks;

/// <summary>
/// The trace parser on typical tracefs lines (dma_map_phys, iommu map, iommu unmap,
/// dma_unmap_phys, with 5-column flags, over 8 CPUs), read from memory: results are per line.
/// <c>bytes</c> is what <c>smmulab replay</c> does: UTF-8 bytes from a stream, each event parsed
/// into a reused slot (nothing allocated per line); <c>text</c> reads a <see cref="TextReader"/>
/// and makes a record per event (<see cref="TraceParser.TryRead"/>, for readers that keep events).
/// Target: at least 1,000,000 lines/s.
/// </summary>
[MemoryDiagnoser]
public class TraceParseBenchmarks
{
    private const int Lines = 100_000;
    private string text = string.Empty;
    private byte[] bytes = [];

    [Params("tracefs", "trace-cmd")]
    public string Layout { get; set; } = "tracefs";

    [Params("bytes", "text")]
    public string Input { get; set; } = "bytes";

    [GlobalSetup]
    public void Setup()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(Lines * 140);
        long ns = 5_000_000_000;
        for (var n = 0; n < Lines; n++)
        {
            ns += 730;
            var cpu = (n / 4) % 8;
            var iova = 0xfff0_0000UL - ((ulong)(n / 4 % 512) * 0x1000);
            var phys = 0x8a00_0000UL + ((ulong)(n / 4) * 0x1000);
            var ts = string.Create(inv, $"{ns / 1_000_000_000,5}.{ns % 1_000_000_000 / 1000:D6}");
            if (Layout == "tracefs")
            {
                sb.Append(inv, $"{"kworker/u16:3",16}-{4000 + cpu,-7} [{cpu:D3}] ..... {ts}: ");
            }
            else
            {
                sb.Append(inv, $"{"fio",16}-{4000 + cpu,-5} [{cpu:D3}] {ts}: ");
            }

            var (name, body) = (n % 4) switch
            {
                0 => ("dma_map_phys", string.Create(inv, $"0000:01:00.0 dir=FROM_DEVICE dma_addr={iova:x} size=4096 phys_addr={phys:x} attrs=")),
                1 => ("map", string.Create(inv, $"IOMMU: iova=0x{iova:x16} - 0x{iova + 0x1000:x16} paddr=0x{phys:x16} size=4096")),
                2 => ("unmap", string.Create(inv, $"IOMMU: iova=0x{iova:x16} - 0x{iova + 0x1000:x16} size=4096 unmapped_size=4096")),
                _ => ("dma_unmap_phys", string.Create(inv, $"0000:01:00.0 dir=FROM_DEVICE dma_addr={iova:x} size=4096 attrs=")),
            };

            // trace-cmd pads the event name to 20 characters.
            sb.Append(name).Append(": ");
            if (Layout != "tracefs")
            {
                sb.Append(' ', Math.Max(0, 20 - name.Length));
            }

            sb.Append(body).Append('\n');
        }

        text = sb.ToString();
        bytes = System.Text.Encoding.UTF8.GetBytes(text);
    }

    /// <summary>One line parsed into its typed event.</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public long ParseLine()
    {
        long sum = 0;
        if (Input == "bytes")
        {
            var parser = new TraceParser(new MemoryStream(bytes, writable: false));
            var slot = new TraceEventSlot();
            while (parser.TryReadNext(slot))
            {
                sum += slot.LineNumber;
            }
        }
        else
        {
            var parser = new TraceParser(new StringReader(text));
            while (parser.TryRead(out var record))
            {
                sum += record.LineNumber;
            }
        }

        return sum;
    }
}
