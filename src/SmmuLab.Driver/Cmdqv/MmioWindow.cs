using SmmuLab.Architecture.Memory;

namespace SmmuLab.Driver.Cmdqv;

/// <summary>
/// A part of another MMIO window, as a mapping of some pages gives (a VMM mapping a VINTF's page 0
/// into its guest): offsets are relative to <paramref name="start"/>; accesses outside
/// [0, <paramref name="size"/>) read as zero and are dropped.
/// </summary>
internal sealed class MmioWindow(IMmio inner, int start, int size) : IMmio
{
    public int Start { get; } = start;

    public int Size { get; } = size;

    public uint Read32(int offset) => Inside(offset, 4) ? inner.Read32(Start + offset) : 0;

    public void Write32(int offset, uint value)
    {
        if (Inside(offset, 4))
        {
            inner.Write32(Start + offset, value);
        }
    }

    public ulong Read64(int offset) => Inside(offset, 8) ? inner.Read64(Start + offset) : 0;

    public void Write64(int offset, ulong value)
    {
        if (Inside(offset, 8))
        {
            inner.Write64(Start + offset, value);
        }
    }

    private bool Inside(int offset, int bytes) => offset >= 0 && offset <= Size - bytes;
}
