using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Observation;

/// <summary>
/// What an SMMU model does, as it does it: the one seam through which traces, the stale-translation
/// oracle, statistics and exporters watch the model. Every method has a do-nothing default, so an
/// observer implements only what it needs. Attach with <see cref="SmmuDevice.AddObserver"/>.
/// </summary>
/// <remarks>
/// Calls are made on the thread doing the work (a driver thread writing CMDQ_PROD, the device thread
/// of a free-running SMMU, a DMA thread), with the device lock held and in the order the SMMU does
/// the work, so an observer sees a consistent, totally ordered history per SMMU. An observer must
/// therefore be quick and must not wait for another thread that uses the device. With no observer
/// attached the model pays one null test per call site.
/// <para>
/// One exception, which every attached observer must allow (<see cref="AllowsUnlockedDma"/>): a page of
/// untranslated DMA then moves its data without the device lock (a TLB hit entirely without it, a
/// walked page after it), and its <see cref="DmaAccessed"/> comes from the DMA's thread, concurrently
/// with other DMA threads and with the SMMU's own work. It still comes before any CMD_SYNC whose commands could have removed the
/// translation it used completes, so an oracle judging it against the driver's unmaps stays exact.
/// </para>
/// </remarks>
public interface ISmmuObserver
{
    /// <summary>
    /// True when this observer takes <see cref="DmaAccessed"/> from several threads at once, outside
    /// the device lock, and needs no <see cref="Translated"/> for the TLB hits those pages use. While
    /// any attached observer says false, every page of DMA is made and reported under the lock.
    /// </summary>
    bool AllowsUnlockedDma => false;

    /// <summary>
    /// False when this observer does nothing with <see cref="Translated"/>. While no attached observer
    /// watches translations, the SMMU translates as it does unobserved: a TLB hit without the device
    /// lock, and no <see cref="TranslationObservation"/> built (nor its two clock reads) per translation.
    /// </summary>
    bool WatchesTranslations => true;

    /// <summary>
    /// False when this observer does nothing with <see cref="CommandConsumed"/> or
    /// <see cref="SyncCompleted"/>. While no attached observer watches commands, no
    /// <see cref="CommandObservation"/> is built, and a secondary queue's TLBI or CMD_SYNC that
    /// could change nothing under the device lock runs without it (as with no observer at all).
    /// </summary>
    bool WatchesCommands => true;

    /// <summary>A command was consumed and executed without error, from the CMDQ or a secondary queue (a CMDQV VCMDQ).</summary>
    void CommandConsumed(SmmuDevice smmu, in CommandObservation command)
    {
    }

    /// <summary>A CMD_SYNC completed: every command before it on its queue has taken effect (IHI0070 4.7.3).</summary>
    void SyncCompleted(SmmuDevice smmu, in CommandObservation sync)
    {
    }

    /// <summary>An event record was produced: written to the event queue, or lost to overflow or a disabled queue.</summary>
    void EventRecorded(SmmuDevice smmu, in EventRecord record)
    {
    }

    /// <summary>An untranslated transaction was translated (or faulted, bypassed, aborted).</summary>
    void Translated(SmmuDevice smmu, in TranslationObservation translation)
    {
    }

    /// <summary>Configuration structures were fetched from memory for a StreamID (and SubstreamID): a configuration cache miss.</summary>
    void ConfigurationFetched(SmmuDevice smmu, uint streamId, uint? substreamId, int structures)
    {
    }

    /// <summary>A page of DMA reached memory through an endpoint connected to this SMMU (after translation, or through its ATC).</summary>
    void DmaAccessed(SmmuDevice smmu, in DmaAccess access)
    {
    }
}
