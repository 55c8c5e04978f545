using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Examples;

/// <summary>
/// A host-side cache of translations, as an emulator's bus keeps translation windows so that most
/// accesses skip the SMMU: each successful <see cref="SmmuDevice.Translate"/> is remembered as a
/// window (StreamID, naturally aligned input block, output base). It stays correct because it is the
/// SMMU's <see cref="ITranslationInvalidationListener"/>: every window an invalidation may have made
/// stale is dropped before the invalidating command completes.
/// </summary>
/// <remarks>
/// <see cref="TranslationsInvalidated"/> is called with the device lock held, on the thread running
/// the command: it only takes this cache's own (leaf) lock and never calls into the device.
/// </remarks>
public sealed class TranslationWindowCache(TextWriter log) : ITranslationInvalidationListener
{
    private readonly Lock gate = new();
    private readonly Dictionary<(uint Sid, ulong Base), (ulong Pa, int Shift)> windows = [];
    private readonly List<InvalidationScope> notifications = [];

    /// <summary>Windows held now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return windows.Count;
            }
        }
    }

    /// <summary>Translations answered from a window, without asking the SMMU.</summary>
    public int Hits { get; private set; }

    /// <summary>Every scope the SMMU reported, in order.</summary>
    public IReadOnlyList<InvalidationScope> Notifications
    {
        get
        {
            lock (gate)
            {
                return [.. notifications];
            }
        }
    }

    /// <summary>
    /// The output address of <paramref name="address"/> for StreamID <paramref name="sid"/>: from a
    /// window, or from the SMMU (which may fault and record an event), remembering the window.
    /// </summary>
    public TransactionResult Translate(SmmuDevice smmu, uint sid, ulong address, AccessKind access)
    {
        lock (gate)
        {
            foreach (var ((s, b), (pa, shift)) in windows)
            {
                if (s == sid && address >> shift == b >> shift)
                {
                    Hits++;
                    return new TransactionResult(TransactionOutcome.Translated, pa + (address - b), shift);
                }
            }
        }

        var result = smmu.Translate(sid, null, address, access);
        if (result.Outcome == TransactionOutcome.Translated)
        {
            var mask = (1UL << result.BlockShift) - 1;
            lock (gate)
            {
                windows[(sid, address & ~mask)] = (result.PhysicalAddress & ~mask, result.BlockShift);
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public void TranslationsInvalidated(SmmuDevice device, in InvalidationScope scope)
    {
        var dropped = 0;
        lock (gate)
        {
            notifications.Add(scope);
            foreach (var key in windows.Keys.ToList())
            {
                var (_, shift) = windows[key];
                if (scope.Covers(key.Sid, null, key.Base, key.Base + ((1UL << shift) - 1)))
                {
                    windows.Remove(key);
                    dropped++;
                }
            }
        }

        log.WriteLine($"  listener: {(scope.Opcode is { } op ? op.ToString() : "register write")}"
            + $"{(scope.All ? " (everything)" : $" sid 0x{scope.FirstStreamId:x}-0x{scope.LastStreamId:x} asid {Text(scope.Asid)} va 0x{scope.FirstAddress:x}-0x{scope.LastAddress:x}")}"
            + $", {dropped} window(s) dropped");
    }

    private static string Text(ushort? value) => value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "any";
}
