using SmmuLab.Driver.PageTables;
using SmmuLab.Machines;

namespace SmmuLab.Verification.Stress;

/// <summary>
/// The thread bodies of one machine's run. Every thread draws its choices from its own generator
/// (seeded from the run's seed and its role). It tells the oracle about a map or an attach
/// before the call (until the page or the STE is written, DMA faults and is not judged; after it,
/// another thread's DMA may use it) and about an unmap or a detach after the call returned (until
/// then the old translation may still be used). After each unmap, detach
/// or move the thread's own device reads the page once: that read must fault, and if it does not
/// the oracle reports it.
/// </summary>
/// <param name="rig">The machine and its oracle.</param>
/// <param name="counters">Where the threads count what they do.</param>
/// <param name="stopping">Polled every round: true ends the thread.</param>
/// <param name="seed">The run's seed.</param>
/// <param name="slots">Slots of 16 KiB in each map/unmap/DMA thread's window: many for a long stress, few for a short exploration (so its rounds map, use and unmap the same pages).</param>
internal sealed class StressThreads(StressRig rig, StressCounters counters, Func<bool> stopping, int seed, int slots)
{
    /// <summary>Slots per window in the stress phase.</summary>
    public const int StressSlots = 64;

    /// <summary>Slots per window in an exploration.</summary>
    public const int ExploreSlots = 3;

    private const ulong SlotBytes = 0x4000;
    private const ulong Page = 0x1000;
    private const ulong WindowBytes = 0x100_0000;
    private const IommuProt Rw = IommuProt.Read | IommuProt.Write;

    /// <summary>A deterministic seed for <paramref name="role"/> (HashCode is randomized per process).</summary>
    public static int RoleSeed(int seed, int role) => unchecked((seed * 1_000_003) + (role * 7919) + 17);

    /// <summary>The IOVA of slot <paramref name="slot"/> of thread <paramref name="index"/>'s window.</summary>
    public static ulong Iova(int index, int slot) => (WindowBytes * (ulong)(index + 1)) + ((ulong)slot * SlotBytes);

    /// <summary>Map, DMA, unmap in thread <paramref name="index"/>'s own IOVA window of the shared domain.</summary>
    public void MapUnmapDma(int index, long maxRounds)
    {
        var r = new Random(RoleSeed(seed, index));
        var pages = new int[slots];
        var buffer = new byte[8];
        var span = rig.Buffers.End - rig.Buffers.Start;
        var paBase = rig.Buffers.Start + ((ulong)index * StressSlots * SlotBytes % (span - (StressSlots * SlotBytes)));
        for (long round = 0; round < maxRounds && !stopping(); round++)
        {
            counters.Round();
            var slot = r.Next(slots);
            if (pages[slot] == 0)
            {
                var n = 1 + r.Next(4);
                // Told first: another device may use the mapping as soon as the map wrote it.
                rig.Oracle.Mapped(StressRig.SharedName, Iova(index, slot), paBase + ((ulong)slot * SlotBytes), (ulong)n * Page);
                rig.Shared.Map(Iova(index, slot), paBase + ((ulong)slot * SlotBytes), (ulong)n * Page, Rw);
                pages[slot] = n;
                counters.Map();
            }

            for (var i = 0; i < 2; i++)
            {
                var target = r.Next(slots);
                if (pages[target] > 0)
                {
                    var address = Iova(index, target) + ((ulong)r.Next(pages[target]) * Page) + ((ulong)r.Next(512) * 8);
                    counters.Dma();
                    var result = r.Next(2) == 0 ? rig.Dma.Endpoint.Read(address, buffer) : rig.Dma.Endpoint.Write(address, buffer);
                    if (!result.Ok)
                    {
                        throw new InvalidOperationException($"DMA by {rig.Dma.Name} to live IOVA 0x{address:x} faulted ({result.Fault})");
                    }
                }
            }

            var victim = r.Next(slots);
            if (pages[victim] > 0 && r.Next(3) == 0)
            {
                rig.Shared.Unmap(Iova(index, victim), (ulong)pages[victim] * Page);
                rig.Oracle.Unmapped(StressRig.SharedName, Iova(index, victim), (ulong)pages[victim] * Page);
                pages[victim] = 0;
                counters.Unmap();
                Probe(rig.Dma, Iova(index, victim), buffer);
            }
        }
    }

    /// <summary>The churn device: attach to the shared domain, read pages of any window, detach, read once more.</summary>
    public void AttachDetach(int role, int dmaThreads, long maxRounds)
    {
        var r = new Random(RoleSeed(seed, role));
        var device = rig.Churn;
        var buffer = new byte[8];
        for (long round = 0; round < maxRounds && !stopping(); round++)
        {
            counters.Round();
            rig.Oracle.Attached(device.Name, null, StressRig.SharedName);
            device.Master.Attach(rig.Shared);
            ReadAround(device, r, dmaThreads, buffer, 3);
            device.Master.Detach();
            rig.Oracle.Detached(device.Name, null);
            counters.Attach();
            Probe(device, Iova(r.Next(dmaThreads), r.Next(slots)), buffer);
        }
    }

    /// <summary>The ATS device: shared domain (ATS on, the ATC fills), spare domain, blocked (ATS off), each followed by reads.</summary>
    public void AtsChurn(int role, int dmaThreads, long maxRounds)
    {
        var device = rig.Ats!;
        var r = new Random(RoleSeed(seed, role));
        var buffer = new byte[8];
        for (long round = 0; round < maxRounds && !stopping(); round++)
        {
            counters.Round();
            rig.Oracle.Attached(device.Name, null, StressRig.SharedName);
            device.Master.Attach(rig.Shared);
            ReadAround(device, r, dmaThreads, buffer, 3);
            device.Master.Attach(rig.Spare);
            rig.Oracle.Attached(device.Name, null, StressRig.SpareName);
            Probe(device, Iova(r.Next(dmaThreads), r.Next(slots)), buffer);
            device.Master.Detach();
            rig.Oracle.Detached(device.Name, null);
            Probe(device, Iova(r.Next(dmaThreads), r.Next(slots)), buffer);
            counters.AtsCycle();
        }
    }

    /// <summary>Reads at random pages of random windows: mapped or not, the oracle judges what reaches memory.</summary>
    private void ReadAround(DeviceNode device, Random r, int dmaThreads, byte[] buffer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            counters.Dma();
            device.Endpoint.Read(Iova(r.Next(dmaThreads), r.Next(slots)) + ((ulong)r.Next(4) * Page), buffer);
        }
    }

    /// <summary>A read that must fault; if it reaches memory the oracle reports the stale translation.</summary>
    private void Probe(DeviceNode device, ulong iova, byte[] buffer)
    {
        counters.Dma();
        counters.Probe();
        device.Endpoint.Read(iova, buffer);
    }
}
