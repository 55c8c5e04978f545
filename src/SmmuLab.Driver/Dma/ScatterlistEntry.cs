namespace SmmuLab.Driver.Dma;

/// <summary>One input segment of a scatter-gather list: a physical buffer (page + offset) and its length.</summary>
public readonly record struct ScatterlistEntry(ulong Phys, uint Length);
