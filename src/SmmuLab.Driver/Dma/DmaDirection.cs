namespace SmmuLab.Driver.Dma;

/// <summary>The direction of a streaming mapping (Linux <c>enum dma_data_direction</c>, same values).</summary>
public enum DmaDirection
{
    /// <summary>The device reads and writes: read and write permission.</summary>
    Bidirectional = 0,

    /// <summary>The device reads (memory to device): read permission.</summary>
    ToDevice = 1,

    /// <summary>The device writes (device to memory): write permission.</summary>
    FromDevice = 2,

    /// <summary>Not a valid direction for a mapping.</summary>
    None = 3,
}
