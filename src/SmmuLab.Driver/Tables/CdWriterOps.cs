namespace SmmuLab.Driver.Tables;

/// <summary>CD ops: CD used bits, no update-safe bits, and a caller-supplied CFGI_CD (per StreamID) + CMD_SYNC.</summary>
internal sealed class CdWriterOps(IEntrySyncTarget syncTarget) : EntryWriterOps
{
    private readonly IEntrySyncTarget syncTarget = syncTarget ?? throw new ArgumentNullException(nameof(syncTarget));

    public CdWriterOps(Action sync)
        : this(new DelegateSyncTarget(sync))
    {
    }

    public override void GetUsed(ReadOnlySpan<ulong> entry, Span<ulong> used) => EntryUsedBits.GetCdUsed(entry, used);

    public override void Sync() => syncTarget.Sync();
}
