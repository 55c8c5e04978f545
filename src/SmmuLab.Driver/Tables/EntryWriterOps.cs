namespace SmmuLab.Driver.Tables;

/// <summary>
/// What <see cref="EntryWriter"/> needs to know about one kind of entry (Linux:
/// <c>struct arm_smmu_entry_writer_ops</c>): which bits an image uses, which bits may change in any
/// order, and how to make the SMMU forget its cached copy.
/// </summary>
internal abstract class EntryWriterOps
{
    /// <summary>Fills <paramref name="used"/> (8 qwords) with the bits the SMMU reads from <paramref name="entry"/>.</summary>
    public abstract void GetUsed(ReadOnlySpan<ulong> entry, Span<ulong> used);

    /// <summary>
    /// Fills <paramref name="safe"/> (8 qwords) with bits that may change from <paramref name="current"/>
    /// to <paramref name="target"/> without ordering against the rest of the entry. None by default.
    /// </summary>
    public virtual void GetUpdateSafe(ReadOnlySpan<ulong> current, ReadOnlySpan<ulong> target, Span<ulong> safe) =>
        safe[..EntryWriter.Qwords].Clear();

    /// <summary>Invalidates the SMMU's cached copy of the entry and waits for completion.</summary>
    public abstract void Sync();
}
