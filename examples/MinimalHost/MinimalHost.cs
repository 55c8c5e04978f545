using System.Text;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Examples;

/// <summary>
/// A minimal emulator host around one SMMUv3 model: it owns the guest's RAM, routes the guest
/// CPU's MMIO to the SMMU's register pages, takes the SMMU's wired interrupts and MSIs, keeps a
/// cache of translations the SMMU invalidates through its listener, and watches it with an
/// observer. A tiny guest driver programs the SMMU by MMIO; a PCIe function behind it does DMA
/// before and after the guest unmaps the page.
/// </summary>
public static class MinimalHost
{
    /// <summary>Where the host puts the SMMU's two register pages.</summary>
    public const ulong SmmuBase = 0x0900_0000;

    /// <summary>The interrupt controller's MSI doorbell.</summary>
    public const ulong MsiDoorbell = 0x0804_0040;

    /// <summary>The guest's RAM: 16 MiB from 1 GiB.</summary>
    public const ulong RamBase = 0x4000_0000;

    /// <summary>Bytes of guest RAM.</summary>
    public const ulong RamSize = 0x100_0000;

    /// <summary>The payload of the event queue's MSI.</summary>
    public const uint EventMsiData = 0x2A;

    private const int StreamIdBits = 8;
    private const uint StreamId = 0x10;
    private const ushort Asid = 7;
    private const ulong Iova = 0x8_1234_5000;
    private const ulong DmaOffset = 0x80;

    /// <summary>Runs the example, logging to <paramref name="log"/>; the outcome says what happened and what went wrong.</summary>
    public static HostOutcome Run(TextWriter log, ConsumptionMode mode = ConsumptionMode.Inline)
    {
        log = TextWriter.Synchronized(log);
        var problems = new List<string>();
        void Expect(bool condition, string what)
        {
            log.WriteLine(condition ? $"  ok: {what}" : $"  UNEXPECTED: {what}");
            if (!condition)
            {
                problems.Add(what);
            }
        }

        // The host: RAM, interrupt controller, bus; the SMMU on the bus; a PCIe function behind it.
        log.WriteLine($"host: SMMU at 0x{SmmuBase:x}, RAM 0x{RamBase:x}-0x{RamBase + RamSize - 1:x}, {mode} consumption");
        var ram = new GuestRam(RamBase, RamSize);
        var irq = new InterruptController(MsiDoorbell, log);
        var bus = new SystemBus(ram, irq);
        using var smmu = new SmmuDevice(new SmmuDeviceOptions { Name = "smmu0", Mode = mode }, bus, irq);
        bus.MapMmio(SmmuBase, SmmuRegister.RegionSize, smmu);
        var windows = new TranslationWindowCache(log);
        smmu.InvalidationListener = windows;
        var observer = new HostObserver(log);
        using var subscription = smmu.AddObserver(observer);
        var nic = new Endpoint("nic0", [StreamId], bus);
        smmu.Connect(nic);

        // The guest: bring the SMMU up, map one page for the function's StreamID.
        log.WriteLine("guest: reset the SMMU");
        var allocator = new GuestAllocator(RamBase, RamBase + RamSize);
        var driver = new GuestDriver(bus, SmmuBase, allocator, StreamIdBits, log);
        driver.Reset(MsiDoorbell, EventMsiData);
        var page = allocator.Allocate(GuestPageTable.G.Bytes());
        var table = new GuestPageTable(bus, allocator);
        table.MapPage(Iova, page);
        log.WriteLine($"guest: map iova 0x{Iova:x} -> pa 0x{page:x}, stage 1 for sid 0x{StreamId:x}");
        driver.InstallStage1Stream(StreamId, Asid, table);

        // DMA through the SMMU while the page is mapped: a walk, then a TLB hit.
        log.WriteLine("device: DMA write to the mapped page");
        var payload = Encoding.ASCII.GetBytes("hello from nic0");
        var mapped = nic.Write(Iova + DmaOffset, payload);
        var landed = new byte[payload.Length];
        Expect(mapped.Ok && ram.TryRead(page + DmaOffset, landed) && landed.AsSpan().SequenceEqual(payload),
            $"DMA to iova 0x{Iova + DmaOffset:x} landed at pa 0x{page + DmaOffset:x}");
        var mappedPas = observer.Dma.Select(a => a.PhysicalAddress).ToList();
        Expect(mappedPas.SequenceEqual([page + DmaOffset]), "the observer saw the DMA reach that address");
        var readBack = new byte[payload.Length];
        Expect(nic.Read(Iova + DmaOffset, readBack).Ok && readBack.AsSpan().SequenceEqual(payload), "DMA read back the same bytes");

        // The host's own translation cache: one SMMU lookup, then answered from its window.
        var first = windows.Translate(smmu, StreamId, Iova, AccessKind.Read);
        var second = windows.Translate(smmu, StreamId, Iova + DmaOffset, AccessKind.Read);
        Expect(first.PhysicalAddress == page && second.PhysicalAddress == page + DmaOffset && windows.Hits == 1,
            "the host cached the translation window and answered from it");
        var windowsBefore = windows.Count;

        // Unmap: clear the PTE. Until the TLBI the SMMU may keep using its cached translation.
        log.WriteLine("guest: clear the PTE (no TLBI yet)");
        table.UnmapPage(Iova);
        var stale = nic.Write(Iova + DmaOffset, payload);
        Expect(stale.Ok, "before the TLBI the SMMU still translates from its TLB");
        log.WriteLine("guest: TLBI_NH_VA + CMD_SYNC");
        driver.Submit(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, vmid: 0, Asid, Iova, leaf: true));
        var tlbi = windows.Notifications.LastOrDefault(s => s.Opcode == Opcode.CMD_TLBI_NH_VA);
        // The scope names no ASID (NH_VA also removes global entries) and, on an SMMU that can nest,
        // widens the range to whole stage-1 blocks; it is never narrower than what the SMMU removed.
        Expect(!tlbi.All && tlbi.Covers(StreamId, null, Iova, Iova + GuestPageTable.G.Bytes() - 1),
            "the listener was told the TLBI's address range");
        Expect(windows.Count == 0, "the host dropped its window");

        // DMA again: a translation fault, recorded in the event queue, with its interrupts.
        log.WriteLine("device: DMA write after the unmap");
        var unmapped = nic.Write(Iova + DmaOffset, payload);
        Expect(!unmapped.Ok && unmapped.Fault == EventId.F_TRANSLATION && unmapped.BytesTransferred == 0, "the DMA faulted with F_TRANSLATION");
        var events = driver.DrainEvents();
        foreach (var e in events)
        {
            log.WriteLine($"guest: event {e}");
        }

        Expect(events is [{ Id: EventId.F_TRANSLATION } ev] && ev.Sid == StreamId && ev.Address == Iova + DmaOffset && !ev.IsRead,
            "the guest read one F_TRANSLATION event for the StreamID and address");
        Expect(irq.WiredCount(SmmuInterrupt.EventQueue) == 1 && irq.Msis.SequenceEqual([EventMsiData]),
            "the event raised the EVENTQ line and sent its MSI once");
        Expect(irq.WiredCount(SmmuInterrupt.GlobalError) == 0, "no global error");

        var outcome = new HostOutcome
        {
            Problems = problems,
            StreamId = StreamId,
            Asid = Asid,
            Iova = Iova,
            PagePa = page,
            DmaOffset = DmaOffset,
            MappedWrite = mapped,
            MappedDmaPhysicalAddresses = mappedPas,
            StaleWrite = stale,
            UnmappedWrite = unmapped,
            Events = events,
            EventQueueInterrupts = irq.WiredCount(SmmuInterrupt.EventQueue),
            Msis = irq.Msis,
            Invalidations = windows.Notifications,
            HostWindows = (windowsBefore, windows.Count),
            HostWindowHits = windows.Hits,
            Translations = observer.Translations,
            Consumed = (observer.Commands, observer.Syncs),
        };
        log.WriteLine(outcome.Succeeded ? "result: as expected" : $"result: {problems.Count} unexpected");
        return outcome;
    }
}
