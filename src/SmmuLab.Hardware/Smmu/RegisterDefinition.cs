namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// One register of the SMMU's register file as the model implements it: where it is, what it is
/// called, its width and reset value, the bits software may write (its layout's fields this SMMU
/// implements), when a write is accepted and what else the write does. Reads, writes, names and
/// reset all follow from these rows.
/// </summary>
/// <param name="Offset">Offset in the register window.</param>
/// <param name="Name">The spec name, for traces and errors.</param>
/// <param name="Is64">A 64-bit register (also reachable as two 32-bit halves).</param>
/// <param name="Reset">The value after reset.</param>
/// <param name="Writable">The bits a software write stores; 0 for a read-only register.</param>
/// <param name="Get">Reads the current value.</param>
/// <param name="Set">Stores a value as it is (software writes are masked and guarded first); null for a value the register only reflects.</param>
/// <param name="Guard">When a software write takes effect.</param>
/// <param name="Effect">What a software write does once stored.</param>
internal sealed record RegisterDefinition(
    int Offset,
    string Name,
    bool Is64,
    ulong Reset,
    ulong Writable,
    Func<ulong> Get,
    Action<ulong>? Set,
    WriteGuard Guard = WriteGuard.None,
    RegisterEffect Effect = RegisterEffect.None)
{
    public bool ReadOnly => Writable == 0 || Set is null;
}
