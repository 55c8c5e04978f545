using System.Runtime.CompilerServices;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// The flag column of the <c>irq-info</c> option (and of the latency format), as printed:
/// position 1 irqs-off/BH-off (<c>D d b X .</c>), 2 need-resched (<c>B N L b n l p .</c>),
/// 3 hard/soft irq context (<c>Z z H h s .</c>), 4 preempt depth (hex digit or <c>.</c>),
/// 5 migrate-disable depth (newer kernels only; null on 4-column kernels).
/// </summary>
internal readonly record struct LatencyFlags(char IrqsOff, char NeedResched, char IrqContext, byte PreemptDepth, byte? MigrateDisable)
{
    public bool IrqsDisabled => IrqsOff is 'd' or 'D';

    public bool BottomHalvesDisabled => IrqsOff is 'b' or 'D';

    public bool InNmi => IrqContext is 'z' or 'Z';

    public bool InHardIrq => IrqContext is 'h' or 'H' or 'Z';

    public bool InSoftIrq => IrqContext is 's' or 'H';

    /// <summary>Parses a 4- or 5-character column; false for anything else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<char> text, out LatencyFlags flags)
    {
        flags = default;
        if (text.Length is not (4 or 5)
            || text[0] is not ('D' or 'd' or 'b' or 'X' or '.')
            || text[1] is not ('B' or 'N' or 'L' or 'b' or 'n' or 'l' or 'p' or '.')
            || text[2] is not ('Z' or 'z' or 'H' or 'h' or 's' or '.')
            || !TryDepth(text[3], out var preempt))
        {
            return false;
        }

        byte? migrate = null;
        if (text.Length == 5)
        {
            if (!TryDepth(text[4], out var m))
            {
                return false;
            }

            migrate = m;
        }

        flags = new LatencyFlags(text[0], text[1], text[2], preempt, migrate);
        return true;
    }

    private static bool TryDepth(char c, out byte depth)
    {
        depth = 0;
        if (c == '.')
        {
            return true;
        }

        var v = HexValue(c);
        depth = (byte)v;
        return v >= 0;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
