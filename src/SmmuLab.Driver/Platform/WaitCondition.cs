namespace SmmuLab.Driver.Platform;

/// <summary>
/// A wait's condition over caller-owned state, passed by reference so that a static lambda needs
/// no closure: <c>waiter.WaitUntil(ref state, static (ref S s) =&gt; ..., ...)</c> allocates nothing.
/// </summary>
public delegate bool WaitCondition<TState>(ref TState state);
