namespace SmmuLab.Architecture.Memory;

/// <summary>
/// A device's MMIO register window: aligned 32-bit accesses everywhere, aligned 64-bit accesses to
/// 64-bit registers. This is the only way a driver talks to an SMMU.
/// </summary>
public interface IMmio
{
    uint Read32(int offset);

    void Write32(int offset, uint value);

    ulong Read64(int offset);

    void Write64(int offset, ulong value);
}

/// <summary>
/// A wired interrupt line (GERROR, EVENTQ, PRIQ, or CMD_SYNC) from a device to the CPU side; MSIs
/// are memory writes and need no interface.
/// </summary>
public interface IInterruptSink
{
    void Raise(SmmuInterrupt line);
}

/// <summary>The SMMU's interrupt sources.</summary>
public enum SmmuInterrupt
{
    GlobalError,
    EventQueue,
    PriQueue,
    CmdSync,
}

/// <summary>The wake-up event (SEV) a CMD_SYNC with CS = SIG_SEV raises; a WFE waiter wakes on it.</summary>
public interface IEventSignal
{
    void SendEvent();
}
