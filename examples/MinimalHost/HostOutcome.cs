using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Examples;

/// <summary>What <see cref="MinimalHost.Run"/> saw, for its exit code and for tests.</summary>
public sealed record HostOutcome
{
    /// <summary>Everything that did not happen as expected; empty on success.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>True when nothing unexpected happened.</summary>
    public bool Succeeded => Problems.Count == 0;

    /// <summary>The StreamID of the DMA-capable function.</summary>
    public required uint StreamId { get; init; }

    /// <summary>The ASID of its stage-1 context.</summary>
    public required ushort Asid { get; init; }

    /// <summary>The I/O virtual address the page was mapped at (the DMA goes to an offset in it).</summary>
    public required ulong Iova { get; init; }

    /// <summary>The physical page the IOVA was mapped to.</summary>
    public required ulong PagePa { get; init; }

    /// <summary>The offset of the DMA in the page.</summary>
    public required ulong DmaOffset { get; init; }

    /// <summary>The DMA write while the page was mapped.</summary>
    public required DmaResult MappedWrite { get; init; }

    /// <summary>The physical addresses the observer saw the mapped DMA reach.</summary>
    public required IReadOnlyList<ulong> MappedDmaPhysicalAddresses { get; init; }

    /// <summary>The DMA write after the PTE was cleared but before the TLBI: still translated from the TLB.</summary>
    public required DmaResult StaleWrite { get; init; }

    /// <summary>The DMA write after the TLBI and CMD_SYNC.</summary>
    public required DmaResult UnmappedWrite { get; init; }

    /// <summary>The records the guest read from the event queue after the unmapped DMA.</summary>
    public required IReadOnlyList<EventRecord> Events { get; init; }

    /// <summary>Wired EVENTQ interrupts the host received.</summary>
    public required int EventQueueInterrupts { get; init; }

    /// <summary>MSIs the host received at its doorbell.</summary>
    public required IReadOnlyList<uint> Msis { get; init; }

    /// <summary>Every invalidation the SMMU told the listener of, in order.</summary>
    public required IReadOnlyList<InvalidationScope> Invalidations { get; init; }

    /// <summary>Host translation windows held before the TLBI, and after it.</summary>
    public required (int Before, int After) HostWindows { get; init; }

    /// <summary>Translations the host answered from its own windows.</summary>
    public required int HostWindowHits { get; init; }

    /// <summary>Every translation the observer saw, in order.</summary>
    public required IReadOnlyList<TranslationObservation> Translations { get; init; }

    /// <summary>Commands the observer saw consumed, and CMD_SYNCs completed.</summary>
    public required (int Commands, int Syncs) Consumed { get; init; }
}
