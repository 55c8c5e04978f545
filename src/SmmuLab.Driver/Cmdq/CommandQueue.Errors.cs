using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Cmdq;

/// <summary>Recovery from a command error (SMMU_GERROR.CMDQ_ERR), called from the GERROR interrupt handler.</summary>
public sealed partial class CommandQueue
{
    /// <summary>
    /// Handles the command error the SMMU stopped on, before the caller acknowledges
    /// GERROR.CMDQ_ERR in SMMU_GERRORN (which restarts consumption at CONS):
    /// <list type="bullet">
    /// <item>CERROR_ILL (and any reason this driver does not know): the command at CONS is replaced by
    /// a CMD_SYNC of this queue's completion mode (with MSI polling, targeting that same slot), so
    /// that consumption resumes and the illegal command is skipped.</item>
    /// <item>CERROR_ABT: nothing is rewritten; the SMMU fetches the entry again.</item>
    /// <item>CERROR_ATC_INV_SYNC: nothing is rewritten; CONS is on the CMD_SYNC that saw the ATC
    /// invalidation time out, and it is retried (it may fail the same way again).</item>
    /// </list>
    /// Returns the reason found (CERROR_NONE when there was none).
    /// </summary>
    /// <remarks>
    /// Producers may be running concurrently, so this touches none of the software queue state
    /// (shared word, owner, valid map, lock): the failing slot lies between the SMMU's CONS and the
    /// PROD already published, so it belongs to no producer any more and only the SMMU reads it,
    /// and the SMMU is stopped until the acknowledgement.
    /// </remarks>
    public CommandError HandleCommandError()
    {
        var consRaw = mmio.Read32(consRegister);
        var error = (CommandError)QueuePointer.ERR.Get(consRaw);
        if (error == CommandError.CERROR_NONE)
        {
            return error;
        }

        var cons = consRaw & QueuePointer.WrapIndexMask(Log2Entries);
        var bad = ReadSlot(cons);
        var replace = error is not (CommandError.CERROR_ABT or CommandError.CERROR_ATC_INV_SYNC);
        if (replace)
        {
            // The replacement is written with ordered 64-bit stores before the caller's GERRORN
            // write, so the SMMU fetches the CMD_SYNC when it resumes. Its completion signal goes
            // nowhere harmful: with MSI polling it zeroes the first word of this very slot, which
            // nobody waits on.
            WriteSlot(cons, BuildSync(cons));
        }

        Statistics.CountError(error);
        CommandErrorHandled?.Invoke(this, new CommandQueueError(error, consRaw, bad, replace));
        return error;
    }
}
