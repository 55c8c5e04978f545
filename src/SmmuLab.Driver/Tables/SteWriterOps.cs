namespace SmmuLab.Driver.Tables;

/// <summary>STE ops: STE used bits, STE update-safe bits, and a caller-supplied CFGI_STE + CMD_SYNC.</summary>
internal sealed class SteWriterOps(IEntrySyncTarget syncTarget) : EntryWriterOps
{
    private readonly IEntrySyncTarget syncTarget = syncTarget ?? throw new ArgumentNullException(nameof(syncTarget));

    public SteWriterOps(Action sync)
        : this(new DelegateSyncTarget(sync))
    {
    }

    public override void GetUsed(ReadOnlySpan<ulong> entry, Span<ulong> used) => EntryUsedBits.GetSteUsed(entry, used);

    public override void GetUpdateSafe(ReadOnlySpan<ulong> current, ReadOnlySpan<ulong> target, Span<ulong> safe) =>
        EntryUsedBits.GetSteUpdateSafe(current, target, safe);

    public override void Sync() => syncTarget.Sync();
}
