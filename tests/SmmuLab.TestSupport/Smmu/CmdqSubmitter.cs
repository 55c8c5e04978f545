using System.Diagnostics;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.TestSupport.Smmu;

/// <summary>
/// The software side of an SMMU's CMDQ over a <see cref="CommandRing"/>: publishes the producer
/// index to CMDQ_PROD and waits until CMDQ_CONS reaches it or the SMMU reports CMDQ_ERR.
/// </summary>
public sealed class CmdqSubmitter(IPhysicalMemory memory, IMmio mmio, ulong baseAddress, int log2Entries)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly CommandRing ring = new(memory, baseAddress, log2Entries);

    /// <summary>The ring the commands are written into.</summary>
    public CommandRing Ring => ring;

    /// <summary>The producer index software has written (or will write) to CMDQ_PROD.</summary>
    public uint Prod => ring.Prod;

    /// <summary>CMDQ_CONS without its error field.</summary>
    public uint Cons => mmio.Read32(SmmuRegister.CMDQ_CONS) & QueuePointer.WrapIndexMask(log2Entries);

    /// <summary>The error field of CMDQ_CONS.</summary>
    public CommandError ConsError => (CommandError)QueuePointer.ERR.Get(mmio.Read32(SmmuRegister.CMDQ_CONS));

    /// <summary>GERROR ^ GERRORN.</summary>
    public uint ActiveErrors => mmio.Read32(SmmuRegister.GERROR) ^ mmio.Read32(SmmuRegister.GERRORN);

    /// <summary>Writes CMDQ_PROD and waits until the SMMU has consumed up to it or stopped on an error.</summary>
    public CommandError Publish()
    {
        mmio.Write32(SmmuRegister.CMDQ_PROD, Prod);
        return WaitForConsumer();
    }

    /// <summary>Waits until CONS reaches PROD or CMDQ_ERR is active; returns the command error, if any.</summary>
    public CommandError WaitForConsumer()
    {
        var sw = Stopwatch.StartNew();
        while (Cons != Prod && (ActiveErrors & GError.CMDQ_ERR) == 0)
        {
            if (sw.Elapsed > Patience)
            {
                throw new TimeoutException($"CONS 0x{Cons:x} never reached PROD 0x{Prod:x}");
            }

            Thread.Yield();
        }

        return (ActiveErrors & GError.CMDQ_ERR) != 0 ? ConsError : CommandError.CERROR_NONE;
    }

    /// <summary>Queues the commands and a CMD_SYNC (CS = NONE), publishes them and returns the command error, if any.</summary>
    public CommandError Submit(params Command[] commands)
    {
        ring.PutAll(commands);
        ring.Put(Command.Sync(SyncCompletion.SIG_NONE));
        return Publish();
    }

    /// <summary>As <see cref="Submit"/>, asserting that every command succeeded.</summary>
    public void Run(params Command[] commands) => Assert.Equal(CommandError.CERROR_NONE, Submit(commands));
}
