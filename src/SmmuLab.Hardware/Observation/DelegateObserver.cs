using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Observation;

/// <summary>
/// An observer made of delegates, for callers that want one or two reports without a class:
/// <c>smmu.AddObserver(new DelegateObserver { OnCommand = (_, c) => seen.Add(c.Command) })</c>.
/// Unset delegates cost nothing but a null test.
/// </summary>
public sealed class DelegateObserver : ISmmuObserver
{
    public Action<SmmuDevice, CommandObservation>? OnCommand { get; init; }

    public Action<SmmuDevice, CommandObservation>? OnSync { get; init; }

    public Action<SmmuDevice, EventRecord>? OnEvent { get; init; }

    public Action<SmmuDevice, TranslationObservation>? OnTranslation { get; init; }

    public Action<SmmuDevice, uint, uint?, int>? OnConfigurationFetch { get; init; }

    public Action<SmmuDevice, DmaAccess>? OnDma { get; init; }

    /// <summary>
    /// Set when <see cref="OnDma"/> is safe to call from several threads at once, outside the device
    /// lock. Without it, the observer allows unlocked DMA only when <see cref="OnDma"/> is unset;
    /// with <see cref="OnTranslation"/> set, never.
    /// </summary>
    public bool ConcurrentDma { get; init; }

    public bool AllowsUnlockedDma => OnTranslation is null && (ConcurrentDma || OnDma is null);

    /// <inheritdoc/>
    public bool WatchesTranslations => OnTranslation is not null;

    /// <summary>True when <see cref="OnCommand"/> or <see cref="OnSync"/> is set.</summary>
    public bool WatchesCommands => OnCommand is not null || OnSync is not null;

    public void CommandConsumed(SmmuDevice smmu, in CommandObservation command) => OnCommand?.Invoke(smmu, command);

    public void SyncCompleted(SmmuDevice smmu, in CommandObservation sync) => OnSync?.Invoke(smmu, sync);

    public void EventRecorded(SmmuDevice smmu, in EventRecord record) => OnEvent?.Invoke(smmu, record);

    public void Translated(SmmuDevice smmu, in TranslationObservation translation) => OnTranslation?.Invoke(smmu, translation);

    public void ConfigurationFetched(SmmuDevice smmu, uint streamId, uint? substreamId, int structures) =>
        OnConfigurationFetch?.Invoke(smmu, streamId, substreamId, structures);

    public void DmaAccessed(SmmuDevice smmu, in DmaAccess access) => OnDma?.Invoke(smmu, access);
}
