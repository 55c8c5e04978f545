namespace SmmuLab.Driver.Platform;

/// <summary>
/// One wait in progress (<see cref="Waiter.Begin"/>, <see cref="Waiter.BeginSpin"/>): its deadline,
/// its pace and where the pace has got to. A mutable struct on the waiting thread's stack; pass it
/// by reference to <see cref="Waiter.Pause"/>.
/// </summary>
public struct WaitState
{
    /// <summary>
    /// Stopwatch timestamp after which <see cref="Waiter.Pause"/> gives up; <see cref="long.MaxValue"/> for a spin,
    /// 0 until the first pause of a bounded wait sets it from <see cref="TimeoutTicks"/>.
    /// </summary>
    internal long Deadline;

    /// <summary>The bounded wait's timeout, in Stopwatch ticks.</summary>
    internal long TimeoutTicks;

    internal WaitPace Pace;

    /// <summary>The WFE source of a <see cref="WaitPace.Backoff"/> wait, or null to spin and back off.</summary>
    internal WaitForEvent? Events;

    /// <summary>
    /// The event register: the generation this wait last woke on, or -1 before its first pause.
    /// It belongs to the wait, so a SEV sent between the caller's check and the next WFE is not lost.
    /// </summary>
    internal long EventGeneration;

    /// <summary>Pauses so far (the deadline is checked on some of them).</summary>
    internal int Pauses;

    /// <summary>cpu_relax() rounds since the last back-off delay.</summary>
    internal int Spins;

    /// <summary>The next back-off delay.</summary>
    internal int DelayMicroseconds;

    /// <summary>The <see cref="WaitPace.Spin"/> progression.</summary>
    internal SpinWait Spinner;
}
