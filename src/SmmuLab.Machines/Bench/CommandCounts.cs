using SmmuLab.Architecture.Commands;

namespace SmmuLab.Machines.Bench;

/// <summary>
/// The command counters of one SMMU at one moment: its CMDQ by opcode and, with a CMDQV, each
/// VCMDQ by opcode. Two snapshots subtract to what a run executed.
/// </summary>
internal sealed class CommandCounts
{
    private readonly long[] cmdq = new long[256];
    private readonly long[][] vcmdqs;

    private CommandCounts(int vcmdqCount) => vcmdqs = new long[vcmdqCount][];

    public double ModeledNanoseconds { get; private set; }

    public bool HasCmdqv { get; private set; }

    public static CommandCounts Take(DriverMachine machine, SmmuNode smmu)
    {
        var cmdqv = machine.HasCmdqv(smmu.Name) ? machine.Cmdqv(smmu.Name).Device : null;
        var counts = new CommandCounts(cmdqv?.Options.Vcmdqs ?? 0) { HasCmdqv = cmdqv is not null };
        foreach (var (op, n) in smmu.Device.Statistics.CommandCounts())
        {
            counts.cmdq[(byte)op] = n;
        }

        for (var q = 0; q < counts.vcmdqs.Length; q++)
        {
            counts.vcmdqs[q] = new long[256];
            foreach (var (op, n) in cmdqv!.QueueStatistics(q).CommandCounts())
            {
                counts.vcmdqs[q][(byte)op] = n;
            }
        }

        counts.ModeledNanoseconds = smmu.Device.Clock.Nanoseconds;
        return counts;
    }

    /// <summary>Commands of both queues kinds executed since <paramref name="before"/>, by opcode.</summary>
    public IReadOnlyList<(Opcode Opcode, long Count)> CommandsSince(CommandCounts before)
    {
        var list = new List<(Opcode, long)>();
        for (var op = 0; op < 256; op++)
        {
            var n = cmdq[op] - before.cmdq[op];
            for (var q = 0; q < vcmdqs.Length; q++)
            {
                n += vcmdqs[q][op] - before.vcmdqs[q][op];
            }

            if (n != 0)
            {
                list.Add(((Opcode)op, n));
            }
        }

        return list;
    }

    public long CmdqSince(CommandCounts before) => cmdq.Sum() - before.cmdq.Sum();

    public IReadOnlyList<long>? VcmdqsSince(CommandCounts before) =>
        HasCmdqv ? [.. vcmdqs.Select((q, i) => q.Sum() - before.vcmdqs[i].Sum())] : null;
}
