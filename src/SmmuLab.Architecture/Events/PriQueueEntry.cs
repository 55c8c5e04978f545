namespace SmmuLab.Architecture.Events;

/// <summary>A PRI queue entry (IHI0070 8.1): a Page Request the SMMU passes to software.</summary>
public static class PriQueueEntry
{
    public const int Dwords = 2;
    public const int Bytes = 16;
}
