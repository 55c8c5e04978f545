using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Cmdqv;

namespace SmmuLab.Machines;

/// <summary>
/// What one command queue of an SMMU consumed during a run: the SMMU's own CMDQ (<c>cmdq</c>) or a
/// VCMDQ of the CMDQV beside it (<c>vcmdqN</c>, N its global index), by opcode.
/// </summary>
/// <param name="Queue">The queue's name, as traces name it.</param>
/// <param name="Commands">Commands executed, by opcode (non-zero counts, in opcode order).</param>
/// <param name="ReservedBitCommands">Of those, commands executed with reserved bits set, ignoring them (IHI0070 4.1.5).</param>
public sealed record QueueCommandCounts(string Queue, IReadOnlyList<(Opcode Opcode, long Count)> Commands, long ReservedBitCommands)
{
    public long CommandCount => Commands.Sum(c => c.Count);

    public long SyncCount => Commands.Where(c => c.Opcode == Opcode.CMD_SYNC).Sum(c => c.Count);

    /// <summary>Every VCMDQ of <paramref name="cmdqv"/>, in global index order (idle ones too, with no commands).</summary>
    public static IReadOnlyList<QueueCommandCounts> Of(Tegra241Cmdqv cmdqv)
    {
        ArgumentNullException.ThrowIfNull(cmdqv);
        var queues = new List<QueueCommandCounts>(cmdqv.Options.Vcmdqs);
        for (var q = 0; q < cmdqv.Options.Vcmdqs; q++)
        {
            var stats = cmdqv.QueueStatistics(q);
            queues.Add(new QueueCommandCounts($"vcmdq{q}", [.. stats.CommandCounts()], stats.ReservedBitCommands));
        }

        return queues;
    }
}
