using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.TestSupport.Smmu;

/// <summary>
/// The software side of one command ring in memory (the SMMU's CMDQ or a CMDQV's VCMDQ): it
/// writes commands into the slot at the producer index and advances it, wrap bit included.
/// Publishing the index (writing the PROD register) is left to the caller.
/// </summary>
public sealed class CommandRing(IPhysicalMemory memory, ulong baseAddress, int log2Entries)
{
    /// <summary>The producer index (with its wrap bit) for the next command.</summary>
    public uint Prod { get; private set; }

    /// <summary>Places a command in the next slot without publishing it.</summary>
    public void Put(in Command command)
    {
        command.WriteTo(memory, SlotOf(Prod));
        Prod = QueuePointer.Increment(Prod, log2Entries);
    }

    /// <summary>Places every command in turn.</summary>
    public void PutAll(params ReadOnlySpan<Command> commands)
    {
        foreach (var c in commands)
        {
            Put(c);
        }
    }

    /// <summary>Rewrites the command at queue index <paramref name="index"/>.</summary>
    public void Overwrite(uint index, in Command command) => command.WriteTo(memory, SlotOf(index));

    /// <summary>Starts again at index 0 (after the PROD and CONS registers are reset).</summary>
    public void Reset() => Prod = 0;

    /// <summary>The address of the slot a (wrapped) index names.</summary>
    public ulong SlotOf(uint index) => baseAddress + (QueuePointer.Index(index, log2Entries) * 16UL);
}
