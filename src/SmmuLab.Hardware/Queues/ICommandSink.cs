using SmmuLab.Architecture.Commands;

namespace SmmuLab.Hardware.Queues;

/// <summary>
/// What one command queue does with the commands <see cref="CommandConsumer"/> fetches for it: the
/// SMMU's CMDQ and a CMDQV VCMDQ differ only here. Implemented by structs, so the consumer loop is
/// compiled once per queue kind with these calls inlined.
/// </summary>
internal interface ICommandSink
{
    /// <summary>True while the queue may consume: enabled, and no command error active.</summary>
    bool MayConsume { get; }

    /// <summary>Before each fetch (the fetch's modelled cost).</summary>
    void Fetching();

    /// <summary>
    /// Executes a fetched command (which the sink may rewrite); returns the CONS.ERR code that stops
    /// the queue on it, or 0.
    /// </summary>
    byte Execute(ref Command command);

    /// <summary>The queue stopped on <paramref name="error"/>, CONS.ERR already set: raise the error.</summary>
    void Stopped(byte error);

    /// <summary>CONS has moved past <paramref name="command"/> (as executed): it was consumed.</summary>
    void Consumed(in Command command);
}
