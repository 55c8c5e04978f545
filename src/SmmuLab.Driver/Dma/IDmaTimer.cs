namespace SmmuLab.Driver.Dma;

/// <summary>
/// A one-shot timer of an <see cref="IDmaClock"/> (the kernel's <c>timer_list</c> and delayed work).
/// Arming a pending timer moves its expiry (<c>mod_timer</c>); after it has fired it stays idle
/// until armed again.
/// </summary>
public interface IDmaTimer : IDisposable
{
    /// <summary>True while armed and not yet fired.</summary>
    bool IsPending { get; }

    /// <summary>When the timer fires, as a <see cref="IDmaClock.Now"/> value (meaningful while pending).</summary>
    TimeSpan DueAt { get; }

    /// <summary>Arms the timer to fire at clock time <paramref name="dueAt"/>, replacing any earlier arming.</summary>
    void ArmAt(TimeSpan dueAt);

    /// <summary>
    /// Disarms the timer and waits for a callback that is already running on another thread
    /// (<c>del_timer_sync</c>). Returns true when the timer was pending.
    /// </summary>
    bool Cancel();
}
