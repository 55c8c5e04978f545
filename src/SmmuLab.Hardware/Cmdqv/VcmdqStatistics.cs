using SmmuLab.Architecture.Cmdqv;
using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Cmdqv;

/// <summary>What one VCMDQ consumed. Updated under the queue's lock; reads are atomic per counter.</summary>
public sealed class VcmdqStatistics
{
    private readonly long[] errorsByCode = new long[8];
    private long vmidsReplaced;
    private long sidsReplaced;
    private long reservedBitCommands;

    /// <summary>Commands executed (after any substitution), by opcode.</summary>
    public OpcodeCounters CommandsByOpcode { get; } = new();

    /// <summary>Commands executed (after any substitution), CMD_SYNCs included.</summary>
    public long CommandsConsumed => CommandsByOpcode.Total;

    /// <summary>Commands executed, CMD_SYNC excluded.</summary>
    public long NonSyncCommands => CommandsConsumed - Commands(Opcode.CMD_SYNC);

    /// <summary>Errors the queue stopped on.</summary>
    public long Errors
    {
        get
        {
            long n = 0;
            for (var i = 0; i < errorsByCode.Length; i++)
            {
                n += Interlocked.Read(ref errorsByCode[i]);
            }

            return n;
        }
    }

    /// <summary>TLBIs of a guest-owned queue whose VMID the VINTF's replaced.</summary>
    public long VmidsReplaced => Interlocked.Read(ref vmidsReplaced);

    /// <summary>ATC_INVs of a guest-owned queue whose virtual StreamID was translated.</summary>
    public long SidsReplaced => Interlocked.Read(ref sidsReplaced);

    /// <summary>
    /// Commands executed with reserved bits set, which the SMMU ignored
    /// (<c>ReservedFieldPolicy.Ignore</c>, IHI0070 4.1.5).
    /// </summary>
    public long ReservedBitCommands => Interlocked.Read(ref reservedBitCommands);

    public long Commands(Opcode op) => CommandsByOpcode[op];

    public long ErrorCount(VcmdqError error) => Interlocked.Read(ref errorsByCode[(int)error & 7]);

    /// <summary>Non-zero command counts by opcode, in opcode order.</summary>
    public IEnumerable<(Opcode Opcode, long Count)> CommandCounts() => CommandsByOpcode.NonZero();

    internal void CountCommand(Opcode op) => CommandsByOpcode.Count(op);

    internal void CountError(VcmdqError error) => Interlocked.Increment(ref errorsByCode[(int)error & 7]);

    internal void CountReservedBitCommand() => Interlocked.Increment(ref reservedBitCommands);

    internal void CountVmidReplaced() => Interlocked.Increment(ref vmidsReplaced);

    internal void CountSidReplaced() => Interlocked.Increment(ref sidsReplaced);
}
