using SmmuLab.Driver.Dma;

namespace SmmuLab.Driver.Tests.Dma;

/// <summary>
/// A flush-queue owner that records flushes and frees and hands the IOVAs back to a real
/// allocator, so a test can see when an IOVA becomes reusable.
/// </summary>
internal sealed class RecordingQueueOwner(IovaAllocator? iovad = null) : IFlushQueueOwner
{
    public List<(int Cpu, ulong Pfn, ulong Pages)> Freed { get; } = [];

    public List<(ulong Address, ulong Bytes)> FreedPages { get; } = [];

    public int Flushes { get; private set; }

    /// <summary>Runs inside each flush, between the start and finish counts.</summary>
    public Action? DuringFlush { get; set; }

    public void FlushIotlbAll()
    {
        Flushes++;
        var a = DuringFlush;
        DuringFlush = null;
        a?.Invoke();
    }

    public void FreeIova(int cpu, ulong pfn, ulong pages)
    {
        Freed.Add((cpu, pfn, pages));
        iovad?.FreeFast(cpu, pfn, pages);
    }

    public void FreePages(IReadOnlyList<(ulong Address, ulong Bytes)> pages) => FreedPages.AddRange(pages);
}
