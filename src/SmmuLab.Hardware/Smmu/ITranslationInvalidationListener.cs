namespace SmmuLab.Hardware.Smmu;

/// <summary>
/// Told when translations the SMMU returned may no longer hold, so an embedder that caches them
/// (an emulator's bus keeping translation windows, for example) can drop them. Set it on
/// <see cref="SmmuDevice.InvalidationListener"/>.
/// </summary>
/// <remarks>
/// Raised for every CMD_TLBI_*, CMD_CFGI_* and CMD_ATC_INV the SMMU executes (from its CMDQ or a
/// secondary queue), whether or not its own caches held a matching entry (the listener's cache may
/// hold translations the SMMU's caches have evicted), and for a reset or a write to CR0.SMMUEN or
/// GBPA. It runs on the thread executing the command, with the device lock held, before the command
/// completes (so before a later CMD_SYNC does): a handler must not call into the device or wait for
/// another thread that does.
/// </remarks>
public interface ITranslationInvalidationListener
{
    void TranslationsInvalidated(SmmuDevice device, in InvalidationScope scope);
}
