namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// Deliberate defects of the insertion algorithm, for tests that must show an exploration can
/// fail (<see cref="CommandQueue.Fault"/>, internal). The driver never sets one.
/// </summary>
internal enum CommandQueueFault
{
    /// <summary>The correct algorithm.</summary>
    None,

    /// <summary>The owner writes PROD without waiting for the valid bits of the slots it gathered.</summary>
    PublishUnwritten,
}
