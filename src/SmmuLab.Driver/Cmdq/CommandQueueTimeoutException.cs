namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// The SMMU did not make the progress a command queue producer waited for (space in the queue, or
/// the completion of its CMD_SYNC) within <see cref="CommandQueueOptions.PollTimeout"/>. Carries the
/// hardware pointers read when giving up, as the kernel's "CMD_SYNC timeout" message does.
/// </summary>
internal sealed class CommandQueueTimeoutException : TimeoutException
{
    public CommandQueueTimeoutException(string queue, string waitingFor, uint position, uint hardwareProd, uint hardwareCons, TimeSpan timeout)
        : base($"{queue}: timed out after {timeout.TotalMilliseconds:0} ms waiting for {waitingFor} (position 0x{position:x}): " +
               $"hardware PROD 0x{hardwareProd:x}, CONS 0x{hardwareCons:x}")
    {
        Queue = queue;
        WaitingFor = waitingFor;
        Position = position;
        HardwareProd = hardwareProd;
        HardwareCons = hardwareCons;
    }

    public string Queue { get; }

    /// <summary>What was waited for: "CMD_SYNC" or "queue space".</summary>
    public string WaitingFor { get; }

    /// <summary>The CMD_SYNC's queue pointer, or the producer's PROD while waiting for space.</summary>
    public uint Position { get; }

    /// <summary>SMMU_CMDQ_PROD when giving up.</summary>
    public uint HardwareProd { get; }

    /// <summary>SMMU_CMDQ_CONS when giving up (with its ERR field).</summary>
    public uint HardwareCons { get; }
}
