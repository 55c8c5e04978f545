using System.Diagnostics;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Driver.Cmdq;

/// <summary>
/// The GERROR interrupt handler's logic (the kernel's <c>arm_smmu_gerror_handler</c>): read
/// SMMU_GERROR and SMMU_GERRORN, handle what is active, then acknowledge by writing the GERROR
/// value to GERRORN. A command queue error is recovered through
/// <see cref="CommandQueue.HandleCommandError"/>; the other errors are counted and reported.
/// </summary>
/// <remarks>Runs wherever the platform delivers the interrupt, concurrently with producers.</remarks>
internal sealed class GlobalErrorHandler
{
    /// <summary>The GERROR bits (0-10) counted separately.</summary>
    public const int Bits = 11;

    private readonly IMmio mmio;
    private readonly CommandQueue commandQueue;
    private readonly long[] counts = new long[Bits];
    private long interrupts;
    private long spurious;
    private readonly Lock gate = new();
    private bool running;
    private bool pendingAgain;

    public GlobalErrorHandler(IMmio mmio, CommandQueue commandQueue)
    {
        ArgumentNullException.ThrowIfNull(mmio);
        ArgumentNullException.ThrowIfNull(commandQueue);
        this.mmio = mmio;
        this.commandQueue = commandQueue;
    }

    /// <summary>Raised with the active GERROR bits of every handled interrupt, before the acknowledgement.</summary>
    public event Action<uint>? ErrorsActive;

    /// <summary>Raised when GERROR.SFM_ERR is active: the SMMU is in Service Failure Mode and the driver should disable it.</summary>
    public event Action? ServiceFailure;

    /// <summary>Interrupts handled with at least one active error.</summary>
    public long Interrupts => Interlocked.Read(ref interrupts);

    /// <summary>Interrupts that found no active error (IRQ_NONE).</summary>
    public long Spurious => Interlocked.Read(ref spurious);

    /// <summary>How many times the error with GERROR bit <paramref name="bit"/> (a <see cref="GError"/> mask) was active.</summary>
    public long Count(uint bit) => Interlocked.Read(ref counts[System.Numerics.BitOperations.TrailingZeroCount(bit)]);

    /// <summary>Handles one GERROR interrupt; false when nothing was active (not ours).</summary>
    /// <remarks>
    /// Calls are serialised, as one interrupt line's handler never runs twice at once. A call made
    /// from inside the handler on the same thread (a device that consumes commands inline raises
    /// the next error during our GERRORN write) is treated like an interrupt that arrives while
    /// the CPU has it masked: it is noted and taken once the running handler finishes, so the
    /// stack stays flat however many errors follow one another.
    /// </remarks>
    public bool HandleInterrupt()
    {
        lock (gate)
        {
            if (running)
            {
                pendingAgain = true;
                return true;
            }

            running = true;
            try
            {
                var handled = false;
                do
                {
                    pendingAgain = false;
                    handled |= HandleOnce();
                }
                while (pendingAgain);
                return handled;
            }
            finally
            {
                running = false;
            }
        }
    }

    private bool HandleOnce()
    {
        Debug.Assert(gate.IsHeldByCurrentThread, "GERROR handling is serialised by the handler's gate");
        var gerror = mmio.Read32(SmmuRegister.GERROR);
        var gerrorn = mmio.Read32(SmmuRegister.GERRORN);
        var active = (gerror ^ gerrorn) & GError.ImplementedMask;
        if (active == 0)
        {
            Interlocked.Increment(ref spurious);
            return false;
        }

        Interlocked.Increment(ref interrupts);
        for (var bit = 0; bit < Bits; bit++)
        {
            if ((active & (1u << bit)) != 0)
            {
                Interlocked.Increment(ref counts[bit]);
            }
        }

        ErrorsActive?.Invoke(active);
        if ((active & GError.SFM_ERR) != 0)
        {
            ServiceFailure?.Invoke();
        }

        // The bad command is dealt with before the acknowledgement below restarts consumption.
        if ((active & GError.CMDQ_ERR) != 0)
        {
            commandQueue.HandleCommandError();
        }

        // Acknowledge exactly the errors read above: GERRORN takes the GERROR value, so an error
        // raised since the read stays active and interrupts again.
        mmio.Write32(SmmuRegister.GERRORN, gerror);
        return true;
    }
}
