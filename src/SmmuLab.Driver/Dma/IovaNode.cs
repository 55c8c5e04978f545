namespace SmmuLab.Driver.Dma;

/// <summary>
/// One allocated or reserved IOVA range [<see cref="PfnLo"/>, <see cref="PfnHi"/>] in page frames
/// (Linux <c>struct iova</c>), a node of an <see cref="IovaTree"/>.
/// </summary>
internal sealed class IovaNode
{
    internal IovaNode? Left;
    internal IovaNode? Right;
    internal IovaNode? Parent;
    internal bool Red;

    internal IovaNode()
    {
    }

    /// <summary>First page frame of the range.</summary>
    public ulong PfnLo { get; internal set; }

    /// <summary>Last page frame of the range (inclusive).</summary>
    public ulong PfnHi { get; internal set; }

    /// <summary>Page frames in the range.</summary>
    public ulong Pages => PfnHi - PfnLo + 1;

    public override string ToString() => $"[0x{PfnLo:x}, 0x{PfnHi:x}]";
}
