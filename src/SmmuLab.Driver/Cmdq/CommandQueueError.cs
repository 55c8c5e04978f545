using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// A command error found by <see cref="CommandQueue.HandleCommandError"/>: the reason from
/// SMMU_CMDQ_CONS.ERR, the CONS value, the command that was in the failing slot, and whether that
/// slot was rewritten (a CMD_SYNC replaces an illegal command).
/// </summary>
public readonly record struct CommandQueueError(CommandError Error, uint Cons, Command Command, bool Replaced);
