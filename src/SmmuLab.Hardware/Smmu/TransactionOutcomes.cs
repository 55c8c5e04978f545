namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// How an SMMU's untranslated transactions ended, each counted once: translated from the TLB,
/// translated after a table walk, bypassed, terminated as RAZ/WI, or aborted (with or without an
/// event). <see cref="Total"/> equals <see cref="SmmuStatistics.Translations"/>.
/// </summary>
public readonly record struct TransactionOutcomes(long FromTlb, long AfterWalk, long Bypassed, long RazWi, long Aborted)
{
    public long Total => FromTlb + AfterWalk + Bypassed + RazWi + Aborted;
}
