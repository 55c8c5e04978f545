namespace SmmuLab.Driver.Dma;

/// <summary>
/// A magazine of cached IOVA page frames of one size class (Linux <c>struct iova_magazine</c>):
/// up to <see cref="Capacity"/> frames used as a stack; a full magazine can be chained into a
/// depot through <see cref="Next"/>.
/// </summary>
internal sealed class IovaMagazine
{
    /// <summary>IOVA_MAG_SIZE: 127 frames, so a magazine with its size word is 1 KiB (older kernels: 128).</summary>
    public const int Capacity = 127;

    public readonly ulong[] Pfns = new ulong[Capacity];

    public int Size;

    public IovaMagazine? Next;

    public bool IsFull => Size == Capacity;

    public bool IsEmpty => Size == 0;

    public void Push(ulong pfn) => Pfns[Size++] = pfn;

    /// <summary>
    /// Takes the topmost frame that is at most <paramref name="limitPfn"/> and moves the top frame
    /// into its slot; 0 when none qualifies (the magazine must not be empty).
    /// </summary>
    public ulong Pop(ulong limitPfn)
    {
        var i = Size - 1;
        while (Pfns[i] > limitPfn)
        {
            if (i == 0)
            {
                return 0;
            }

            i--;
        }

        var pfn = Pfns[i];
        Pfns[i] = Pfns[--Size];
        return pfn;
    }
}
