namespace SmmuLab.Driver.Tables;

/// <summary>
/// Makes the SMMU drop any cached copy of one table entry and waits until it has: for an STE,
/// CFGI_STE(sid, leaf) then CMD_SYNC; for a CD, CFGI_CD(ssid, sid, leaf) for every StreamID of the
/// master then one CMD_SYNC. <see cref="EntryWriter"/> calls it after each step that changed the entry
/// in memory, so the SMMU never combines qwords of different steps.
/// </summary>
internal interface IEntrySyncTarget
{
    void Sync();
}

/// <summary>An <see cref="IEntrySyncTarget"/> that runs a delegate.</summary>
internal sealed class DelegateSyncTarget(Action sync) : IEntrySyncTarget
{
    private readonly Action sync = sync ?? throw new ArgumentNullException(nameof(sync));

    public void Sync() => sync();
}
