namespace SmmuLab.Replay.Events;

/// <summary>
/// <c>enum dma_data_direction</c>, printed symbolically as <c>BIDIRECTIONAL</c>, <c>TO_DEVICE</c>,
/// <c>FROM_DEVICE</c>, <c>NONE</c>. The values are the kernel's (0..3), so a numerically printed
/// direction (an unresolved enum in trace-cmd) maps too.
/// </summary>
internal enum DmaDirection
{
    Bidirectional = 0,
    ToDevice = 1,
    FromDevice = 2,
    None = 3,
}
