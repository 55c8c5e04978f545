using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Examples;

/// <summary>
/// Watches the SMMU through <see cref="ISmmuObserver"/>: it logs each command consumed, each event
/// recorded, each translation (TLB hit or walk) and each page of DMA, and keeps what the example
/// checks. Only the reports it needs are implemented; the others keep their do-nothing defaults.
/// </summary>
/// <remarks>Calls come with the device lock held, in the order the SMMU does the work: they only record and log.</remarks>
public sealed class HostObserver(TextWriter log) : ISmmuObserver
{
    private readonly Lock gate = new();
    private readonly List<TranslationObservation> translations = [];
    private readonly List<DmaAccess> dma = [];

    /// <summary>Commands executed, CMD_SYNCs included.</summary>
    public int Commands { get; private set; }

    /// <summary>CMD_SYNCs completed.</summary>
    public int Syncs { get; private set; }

    /// <summary>Event records produced.</summary>
    public int Events { get; private set; }

    /// <summary>Every untranslated transaction, in order.</summary>
    public IReadOnlyList<TranslationObservation> Translations
    {
        get
        {
            lock (gate)
            {
                return [.. translations];
            }
        }
    }

    /// <summary>Every page of DMA that reached memory, in order.</summary>
    public IReadOnlyList<DmaAccess> Dma
    {
        get
        {
            lock (gate)
            {
                return [.. dma];
            }
        }
    }

    /// <inheritdoc/>
    public void CommandConsumed(SmmuDevice smmu, in CommandObservation command)
    {
        Commands++;
        log.WriteLine($"  observer: {command.Queue} consumed {command.Command.Opcode}");
    }

    /// <inheritdoc/>
    public void SyncCompleted(SmmuDevice smmu, in CommandObservation sync) => Syncs++;

    /// <inheritdoc/>
    public void EventRecorded(SmmuDevice smmu, in EventRecord record)
    {
        Events++;
        log.WriteLine($"  observer: event {record}");
    }

    /// <inheritdoc/>
    public void Translated(SmmuDevice smmu, in TranslationObservation translation)
    {
        lock (gate)
        {
            translations.Add(translation);
        }

        log.WriteLine($"  observer: sid 0x{translation.StreamId:x} va 0x{translation.Address:x} {translation.Outcome}"
            + $" via {translation.Path}{(translation.Fault is { } f ? $" fault {f}" : string.Empty)}");
    }

    /// <inheritdoc/>
    public void DmaAccessed(SmmuDevice smmu, in DmaAccess access)
    {
        lock (gate)
        {
            dma.Add(access);
        }

        log.WriteLine($"  observer: {access.Endpoint} {(access.Write ? "wrote" : "read")} {access.Length} bytes at pa 0x{access.PhysicalAddress:x}");
    }
}
