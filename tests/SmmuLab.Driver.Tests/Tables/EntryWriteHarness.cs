using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>
/// The KUnit test writer: counts syncs, notes when one happens with qword 0 = 0 (an invalid entry was
/// visible, so the update was not hitless), and otherwise checks that on the bits the entry now uses,
/// less its update-safe bits, the entry equals the initial or the target entry.
/// </summary>
internal sealed class EntryWriteHarness : IEntrySyncTarget
{
    private readonly ulong[] initial;
    private readonly ulong[] target;
    private readonly List<string> violations = [];

    private EntryWriteHarness(ulong[] initial, ulong[] target, Func<IEntrySyncTarget, EntryWriterOps> makeOps)
    {
        this.initial = (ulong[])initial.Clone();
        this.target = (ulong[])target.Clone();
        Entry = (ulong[])initial.Clone();
        Ops = makeOps(this);
    }

    public ulong[] Entry { get; }

    public EntryWriterOps Ops { get; }

    public int Syncs { get; private set; }

    public bool InvalidEntryWritten { get; private set; }

    public IReadOnlyList<string> Violations => violations;

    public static EntryWriteHarness ForSte(ulong[] initial, ulong[] target) => new(initial, target, s => new SteWriterOps(s));

    public static EntryWriteHarness ForCd(ulong[] initial, ulong[] target) => new(initial, target, s => new CdWriterOps(s));

    public EntryUpdateKind Run() => new EntryWriter(Ops).Write(Entry, target);

    /// <summary>Runs the writer and asserts a clean update to the target with <paramref name="syncs"/> syncs, through an invalid entry unless <paramref name="hitless"/>.</summary>
    public void AssertTransition(int syncs, bool hitless)
    {
        Run();
        Assert.Empty(Violations);
        Assert.Equal(!hitless, InvalidEntryWritten);
        Assert.Equal(syncs, Syncs);
        Assert.Equal(target, Entry);
    }

    public void Sync()
    {
        Syncs++;
        if (Entry[0] == 0)
        {
            InvalidEntryWritten = true;
            return;
        }

        if (!MatchesOnUsedBits(initial) && !MatchesOnUsedBits(target))
        {
            violations.Add($"sync {Syncs}: entry [{Format(Entry)}] is neither the initial [{Format(initial)}] nor the target [{Format(target)}] on its used bits");
        }
    }

    private bool MatchesOnUsedBits(ulong[] reference)
    {
        Span<ulong> used = stackalloc ulong[EntryWriter.Qwords];
        Span<ulong> safe = stackalloc ulong[EntryWriter.Qwords];
        Ops.GetUsed(Entry, used);
        Ops.GetUpdateSafe(Entry, reference, safe);
        for (var i = 0; i < EntryWriter.Qwords; i++)
        {
            if (((Entry[i] ^ reference[i]) & used[i] & ~safe[i]) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string Format(ulong[] qwords) => string.Join(' ', qwords.Select(q => $"{q:x16}"));
}
