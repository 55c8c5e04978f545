using System.Runtime.CompilerServices;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Hardware.Queues;

/// <summary>The command queue consumer (IHI0070 4, 7.1), shared by every queue that executes SMMU commands.</summary>
internal static class CommandConsumer
{
    /// <summary>
    /// Consumes from CONS up to PROD while <paramref name="sink"/> allows it. A fetch from memory
    /// that aborts, or a command the sink refuses, stops the queue: CONS stays on that command,
    /// CONS.ERR holds the reason (CERROR_ABT for the fetch), and the sink raises the error. Returns
    /// false when it stopped on an error.
    /// </summary>
    /// <remarks>
    /// Never inlined: the loop is compiled on its own, so the JIT's inlining budget goes to what
    /// runs per command (the sink's checks, the fetch, the clock) rather than to the register write
    /// that started the consumption.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Run<TSink>(HardwareQueue queue, IDeviceMemory memory, ref TSink sink)
        where TSink : struct, ICommandSink
    {
        while (sink.MayConsume && !queue.IsEmpty)
        {
            sink.Fetching();
            var error = queue.TryFetchCommand(memory, out var command)
                ? sink.Execute(ref command)
                : (byte)CommandError.CERROR_ABT;
            if (error != 0)
            {
                // CONS.ERR is visible before the global error that reports it (7.1).
                queue.StopWithError(error);
                sink.Stopped(error);
                return false;
            }

            queue.AdvanceConsumer();
            sink.Consumed(command);
        }

        return true;
    }
}
