using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Hardware.Concurrency;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Pcie;

/// <summary>
/// A PCIe function behind an SMMU: one or more StreamIDs, an optional ATS capability with an ATC,
/// and a DMA engine. With ATS enabled it asks the SMMU for translations, caches them, and issues
/// Translated transactions; otherwise every access is an untranslated transaction through the SMMU.
/// </summary>
public sealed partial class Endpoint
{
    private const int PageShift = 12;
    private readonly DeviceGate localGate = new();
    private readonly IDeviceMemory memory;
    private readonly AddressTranslationCache? atc;
    private SmmuDevice? smmu;

    /// <summary>The SMMU this function is connected to (<see cref="SmmuDevice.Connect"/>), or null.</summary>
    public SmmuDevice? Smmu => smmu;

    public Endpoint(string name, IReadOnlyList<uint> streamIds, IDeviceMemory memory, EndpointOptions? options = null)
    {
        if (streamIds.Count == 0)
        {
            throw new ArgumentException($"endpoint {name} needs at least one StreamID");
        }

        Name = name;
        StreamIds = [.. streamIds.Order()];
        this.memory = memory;
        Options = options ?? new EndpointOptions();
        RespondsToInvalidation = Options.RespondsToInvalidation;
        if (Options.AtsCapable)
        {
            atc = new AddressTranslationCache(Options.AtcCapacity);
        }
    }

    public string Name { get; }

    /// <summary>
    /// The lock that orders this function's DMA against invalidations: the SMMU's own lock once
    /// connected. A page of DMA (ATC lookup, translation request, translated or untranslated access,
    /// memory write) happens entirely under it, and so does an ATC invalidation, so a completed
    /// CMD_SYNC really means no later access uses a translation it removed. The exception is
    /// untranslated DMA while every observer allows it: a page the SMMU's TLB answers is made without
    /// the lock, and a page translated under it moves its data after it is released; a CMD_SYNC waits
    /// for such pages in flight instead (<see cref="SmmuDevice.TryBeginUnlockedDma"/>, <see cref="UntranslatedRun"/>).
    /// </summary>
    private DeviceGate Gate => smmu?.SyncRoot ?? localGate;

    /// <summary>StreamIDs, ascending.</summary>
    public IReadOnlyList<uint> StreamIds { get; }

    public EndpointOptions Options { get; }

    /// <summary>ATS Control register: Enable.</summary>
    public bool AtsEnabled { get; private set; }

    /// <summary>ATS Control register: Smallest Translation Unit, as log2 bytes (12 = 4 KiB).</summary>
    public int Stu { get; private set; } = PageShift;

    /// <summary>Whether ATC invalidation requests are completed (false models a hung function).</summary>
    public bool RespondsToInvalidation { get; set; }

    /// <summary>The ATC, when the function is ATS-capable.</summary>
    public AddressTranslationCache? Atc => atc;

    /// <summary>ATC invalidation requests received.</summary>
    public long AtcInvalidationsReceived { get; private set; }

    /// <summary>Sets ATS Control.Enable and STU, as <c>pci_enable_ats()</c> does. Enabling needs the capability.</summary>
    public void EnableAts(int stuShift)
    {
        if (atc is null)
        {
            throw new InvalidOperationException($"endpoint {Name} has no ATS capability");
        }

        using (Gate.EnterToTranslate())
        {
            Stu = stuShift;
            AtsEnabled = true;
        }
    }

    /// <summary>Clears ATS Control.Enable; the ATC is emptied, as a function must when ATS is disabled.</summary>
    public void DisableAts()
    {
        using (Gate.EnterToTranslate())
        {
            AtsEnabled = false;
            atc?.Clear();
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at untranslated address <paramref name="address"/>.</summary>
    public DmaResult Read(ulong address, Span<byte> destination, uint? pasid = null, int streamIndex = 0) =>
        Transfer(address, destination, ReadOnlySpan<byte>.Empty, write: false, pasid, streamIndex);

    /// <summary>Writes <paramref name="source"/> at untranslated address <paramref name="address"/>.</summary>
    public DmaResult Write(ulong address, ReadOnlySpan<byte> source, uint? pasid = null, int streamIndex = 0) =>
        Transfer(address, Span<byte>.Empty, source, write: true, pasid, streamIndex);

    internal void AttachTo(SmmuDevice device) => smmu = device;

    /// <summary>
    /// An ATC invalidation request from the SMMU (CMD_ATC_INV): 2^sizeLog2 pages of 4 KiB from
    /// <paramref name="address"/>, size 52 meaning everything. Returns false when the function does
    /// not complete it.
    /// </summary>
    internal bool ReceiveAtcInvalidation(uint sid, uint? pasid, ulong address, int sizeLog2, bool global)
    {
        using (Gate.Enter())
        {
            AtcInvalidationsReceived++;
            if (!RespondsToInvalidation)
            {
                return false;
            }

            if (atc is null)
            {
                return true;
            }

            var length = sizeLog2 >= CommandLayouts.AtcInvSizeAll ? ulong.MaxValue : 1UL << (sizeLog2 + CommandLayouts.AtcInvPageShift);
            var start = length == ulong.MaxValue ? 0 : address & ~(length - 1);
            atc.Invalidate(sid, global ? null : pasid, start, length);
            return true;
        }
    }

    private DmaResult Transfer(ulong address, Span<byte> readInto, ReadOnlySpan<byte> writeFrom, bool write, uint? pasid, int streamIndex)
    {
        var device = smmu ?? throw new InvalidOperationException($"endpoint {Name} is not connected to an SMMU");
        var sid = StreamIds[streamIndex];
        var total = write ? writeFrom.Length : readInto.Length;
        var done = 0;
        var atcHits = 0;
        var access = write ? AccessKind.Write : AccessKind.Read;
        while (done < total)
        {
            var va = address + (ulong)done;
            var chunk = ChunkAt(va, total - done);
            if (!AtsEnabled && device.TryBeginUnlockedDma(sid, pasid, va, access, out var slot, out var hit))
            {
                // A TLB hit: the page is made without the device lock, inside a grace period that a
                // CMD_SYNC completing meanwhile waits for (SmmuDevice.TryBeginUnlockedDma).
                var page = new DmaAccess(Name, sid, pasid, va, hit.PhysicalAddress, chunk, write, FromAtc: false);
                bool moved;
                try
                {
                    moved = TryMove(device, page, readInto, writeFrom, done);
                }
                finally
                {
                    SmmuDevice.EndUnlockedDma(slot!);
                }

                if (!moved)
                {
                    return NotBacked(done, page, atcHits);
                }

                done += chunk;
                continue;
            }

            if (!AtsEnabled || atc is null)
            {
                if (UntranslatedRun(device, sid, pasid, address, readInto, writeFrom, write, ref done) is { } ended)
                {
                    return ended;
                }

                continue;
            }

            using (Gate.EnterToTranslate())
            {
                if (!TryAtsTranslate(device, sid, pasid, va, write, out var pa, out var fromAtc, out var refusal))
                {
                    return new DmaResult(false, (ulong)done, va, null, atcHits) { Failure = refusal };
                }

                var checkedAccess = device.TranslatedAccess(sid, pa, access);
                if (!checkedAccess.Succeeded)
                {
                    return DmaResult.Terminated((ulong)done, va, checkedAccess, atcHits);
                }

                // Split-stage ATS (EATS = 0b10): the ATC holds an IPA and the SMMU applies stage 2.
                atcHits += fromAtc ? 1 : 0;
                var page = new DmaAccess(Name, sid, pasid, va, checkedAccess.PhysicalAddress, chunk, write, fromAtc);
                if (!TryMove(device, page, readInto, writeFrom, done))
                {
                    return NotBacked(done, page, atcHits);
                }

                done += chunk;
            }
        }

        return new DmaResult(true, (ulong)done, 0, null, atcHits);
    }

    /// <summary>The bytes from <paramref name="va"/> to the end of its 4 KiB page, at most <paramref name="left"/>.</summary>
    private static int ChunkAt(ulong va, int left) => (int)Math.Min((ulong)left, (1UL << PageShift) - (va & ((1UL << PageShift) - 1)));

    private bool TryAtsTranslate(SmmuDevice device, uint sid, uint? pasid, ulong va, bool write, out ulong pa, out bool fromAtc, out DmaFailure refusal)
    {
        refusal = DmaFailure.None;
        using (Gate.EnterToTranslate())
        {
            if (atc!.TryLookup(sid, pasid, va, out var hit) && (write ? hit.Write : hit.Read))
            {
                pa = hit.TranslatedBase + (va - hit.UntranslatedBase);
                fromAtc = true;
                return true;
            }
        }

        fromAtc = false;
        var completion = device.AtsTranslate(sid, pasid, va, noWrite: !write);
        if (completion.Status != AtsStatus.Success || !(write ? completion.Write : completion.Read))
        {
            refusal = completion.Status switch
            {
                AtsStatus.UnsupportedRequest => DmaFailure.AtsUnsupportedRequest,
                AtsStatus.CompleterAbort => DmaFailure.AtsCompleterAbort,
                _ => DmaFailure.AtsNotPermitted,
            };
            pa = 0;
            return false;
        }

        var shift = Math.Max(completion.SizeShift, Stu);
        var untranslatedBase = va >> shift << shift;
        var translatedBase = completion.TranslatedAddress >> shift << shift;
        using (Gate.EnterToTranslate())
        {
            if (AtsEnabled)
            {
                atc!.Insert(sid, pasid, new AtcEntry(untranslatedBase, translatedBase, shift, completion.Read, completion.Write));
            }
        }

        pa = translatedBase + (va - untranslatedBase);
        return true;
    }
}
