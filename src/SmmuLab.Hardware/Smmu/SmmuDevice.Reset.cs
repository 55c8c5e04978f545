namespace SmmuLab.Hardware.Smmu;

/// <summary>Reset of the whole SMMU, as an emulator resets a machine.</summary>
public sealed partial class SmmuDevice
{
    /// <summary>
    /// Puts the SMMU back in its reset state: every register to its architected reset value (CR0 =
    /// 0, so the queues are disabled and idle at PROD = CONS = 0, GERROR = GERRORN = 0, GBPA as
    /// reset), the TLB, walk cache and configuration cache emptied, no ATC invalidation pending,
    /// no interrupt pending. Afterwards it answers like a new device and software can probe it
    /// again. The <see cref="InvalidationListener"/> is told every translation is gone. Connected endpoints stay connected (their ATCs are theirs to reset); the statistics
    /// and the modelled clock keep counting.
    /// </summary>
    public void Reset()
    {
        using (gate.Enter())
        {
            ResetRegisters();
            tlb.Clear();
            configCache.InvalidateAll();
            Array.Clear(recentConfigs);
            atcInvalidationTimedOut = false;
            pendingInterrupts = 0;
            WaitForUnlockedDma();
            NotifyInvalidated(InvalidationScope.Everything());
        }
    }
}
