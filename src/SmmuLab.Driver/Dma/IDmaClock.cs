namespace SmmuLab.Driver.Dma;

/// <summary>
/// The time source of the DMA layer: the flush queue's timeout timer and the range cache's depot
/// trimming run on it. <see cref="SystemDmaClock"/> is wall-clock time with thread-pool timers (for
/// benchmarks); <see cref="ManualDmaClock"/> only moves when told to and fires its timers on the
/// thread that moves it (for tests and deterministic runs).
/// </summary>
public interface IDmaClock
{
    /// <summary>Time elapsed since the clock's origin.</summary>
    TimeSpan Now { get; }

    /// <summary>A one-shot timer that runs <paramref name="callback"/> when it expires. It starts idle.</summary>
    IDmaTimer CreateTimer(Action callback);
}
