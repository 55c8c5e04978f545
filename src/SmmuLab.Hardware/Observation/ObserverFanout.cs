using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Observation;

/// <summary>
/// Several observers behind one: what a device holds when more than one is attached. Immutable; a
/// device replaces it under its lock when observers come and go.
/// </summary>
internal sealed class ObserverFanout : ISmmuObserver
{
    private readonly ISmmuObserver[] observers;

    private ObserverFanout(ISmmuObserver[] observers)
    {
        this.observers = observers;
        AllowsUnlockedDma = observers.All(o => o.AllowsUnlockedDma);
        WatchesTranslations = observers.Any(o => o.WatchesTranslations);
        WatchesCommands = observers.Any(o => o.WatchesCommands);
    }

    public bool AllowsUnlockedDma { get; }

    public bool WatchesTranslations { get; }

    public bool WatchesCommands { get; }

    /// <summary>
    /// The observer that stands for <paramref name="current"/> plus <paramref name="added"/>:
    /// <paramref name="added"/> itself when there was none.
    /// </summary>
    public static ISmmuObserver With(ISmmuObserver? current, ISmmuObserver added) => current switch
    {
        null => added,
        ObserverFanout fan => new ObserverFanout([.. fan.observers, added]),
        _ => new ObserverFanout([current, added]),
    };

    /// <summary>
    /// <paramref name="current"/> without one attachment of <paramref name="removed"/>: null when
    /// nothing is left, the remaining observer itself when one is left.
    /// </summary>
    public static ISmmuObserver? Without(ISmmuObserver? current, ISmmuObserver removed)
    {
        if (ReferenceEquals(current, removed))
        {
            return null;
        }

        if (current is not ObserverFanout fan)
        {
            return current;
        }

        var index = Array.IndexOf(fan.observers, removed);
        if (index < 0)
        {
            return current;
        }

        ISmmuObserver[] rest = [.. fan.observers[..index], .. fan.observers[(index + 1)..]];
        return rest.Length == 1 ? rest[0] : new ObserverFanout(rest);
    }

    public void CommandConsumed(SmmuDevice smmu, in CommandObservation command)
    {
        foreach (var o in observers)
        {
            o.CommandConsumed(smmu, command);
        }
    }

    public void SyncCompleted(SmmuDevice smmu, in CommandObservation sync)
    {
        foreach (var o in observers)
        {
            o.SyncCompleted(smmu, sync);
        }
    }

    public void EventRecorded(SmmuDevice smmu, in EventRecord record)
    {
        foreach (var o in observers)
        {
            o.EventRecorded(smmu, record);
        }
    }

    public void Translated(SmmuDevice smmu, in TranslationObservation translation)
    {
        foreach (var o in observers)
        {
            o.Translated(smmu, translation);
        }
    }

    public void ConfigurationFetched(SmmuDevice smmu, uint streamId, uint? substreamId, int structures)
    {
        foreach (var o in observers)
        {
            o.ConfigurationFetched(smmu, streamId, substreamId, structures);
        }
    }

    public void DmaAccessed(SmmuDevice smmu, in DmaAccess access)
    {
        foreach (var o in observers)
        {
            o.DmaAccessed(smmu, access);
        }
    }
}
