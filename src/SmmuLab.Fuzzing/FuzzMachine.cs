using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Fuzzing;

/// <summary>
/// One SMMU model over 1 TiB of RAM (addresses above abort), brought up through its registers the
/// way a driver does, and the software that drives it for a fuzz case: it writes structures and
/// invalidates them, puts commands on the CMDQ and recovers from command errors (the failing slot
/// becomes a CMD_SYNC, GERRORN is acknowledged, CMDQ_PROD is written again), drains and
/// acknowledges the event queue after every action, and resets and brings the SMMU up again
/// after a register write. <see cref="ArchitectedAnswers"/> judges what the model answered.
/// </summary>
public sealed partial class FuzzMachine
{
    /// <summary>The linear stream table: 2^6 STEs.</summary>
    public const ulong StreamTable = 0x1000_0000;

    public const int SidBits = 6;

    public const ulong CommandQueue = 0x1001_0000;

    public const int CmdqLog2 = 5;

    public const ulong EventQueue = 0x1002_0000;

    public const int EventqLog2 = 5;

    /// <summary>The CD table generated stage-1 STEs point at: 16 CDs.</summary>
    public const ulong CdTable = 0x1003_0000;

    public const int CdCount = 16;

    /// <summary>The page-table area: 16 pages of 512 descriptors, which generated descriptors and table pointers use.</summary>
    public const ulong PageTables = 0x1004_0000;

    public const int PageTableCount = 16;

    /// <summary>Where RAM ends: 1 TiB.</summary>
    public const ulong RamEnd = 1UL << 40;

    private const uint CmdqWrapMask = (2u << CmdqLog2) - 1;
    private const uint EventqWrapMask = (2u << EventqLog2) - 1;
    private const uint EventqIndexMask = (1u << EventqLog2) - 1;

    private readonly SparsePhysicalMemory memory = new([(0UL, RamEnd)]);
    private readonly SmmuDevice device;
    private readonly FuzzStatistics stats;
    private readonly List<(ulong Dw0, ulong Sid)> drained = [];
    private uint prod;

    public FuzzMachine(FuzzStatistics stats)
    {
        this.stats = stats;
        device = new SmmuDevice(new SmmuDeviceOptions(), memory);
        BringUp();
        WriteBaseline();
    }

    /// <summary>Runs <paramref name="fuzzCase"/> on a fresh machine; returns the first problem (an answer that is not the architected one), or null.</summary>
    public static string? Run(FuzzCase fuzzCase, FuzzStatistics stats)
    {
        ArgumentNullException.ThrowIfNull(fuzzCase);
        ArgumentNullException.ThrowIfNull(stats);
        var machine = new FuzzMachine(stats);
        for (var i = 0; i < fuzzCase.Actions.Count; i++)
        {
            stats.Actions++;
            if (machine.Do(fuzzCase.Actions[i]) is { } problem)
            {
                return $"action {i + 1} ({fuzzCase.Actions[i]}): {problem}";
            }
        }

        return null;
    }

    /// <summary>Does one action and drains the event queue; returns a problem or null.</summary>
    public string? Do(FuzzAction action)
    {
        drained.Clear();
        var problem = action switch
        {
            WriteSte s => WriteStructure(StreamTable + ((ulong)s.Sid * 64), s.Dwords),
            WriteCd c => WriteStructure(CdTable + ((ulong)c.Index * 64), c.Dwords),
            WriteDescriptor d => WriteStructure(PageTables + ((ulong)d.Table * 4096) + ((ulong)d.Index * 8), [d.Value]),
            IssueCommands c => Issue(c.Commands),
            WriteRegister r => Register(r),
            Transaction t => Present(t),
            _ => $"unknown action {action}",
        };
        return problem ?? DrainEvents();
    }

    private string? Present(Transaction t)
    {
        var result = device.Translate(t.Sid, t.Ssid, t.Address, t.Write ? AccessKind.Write : AccessKind.Read);
        return DrainEvents() ?? ArchitectedAnswers.Judge(t, result, SteInMemory(t.Sid), drained, stats);
    }

    /// <summary>The STE as it is in memory for <paramref name="sid"/> (zeros beyond the table).</summary>
    private ulong[] SteInMemory(uint sid)
    {
        var s = new ulong[8];
        if (sid < 1u << SidBits)
        {
            for (var i = 0; i < 8; i++)
            {
                s[i] = memory.Read64(StreamTable + ((ulong)sid * 64) + ((ulong)i * 8));
            }
        }

        return s;
    }

    /// <summary>Writes double words last first (a valid bit in dw0 lands last), then CFGI_ALL, TLBI_NSNH_ALL and CMD_SYNC.</summary>
    private string? WriteStructure(ulong pa, ulong[] dwords)
    {
        stats.StructureWrites++;
        for (var i = dwords.Length - 1; i >= 0; i--)
        {
            memory.Write64(pa + ((ulong)i * 8), dwords[i]);
        }

        return Invalidate();
    }

    private string? Invalidate() => Issue([Pair(Command.CfgiAll()), Pair(Command.TlbiNsnhAll()), SyncNone], software: true);

    private static (ulong Dw0, ulong Dw1) Pair(Command c) => (c.Dw0, c.Dw1);

    private string? Issue(IReadOnlyList<(ulong Dw0, ulong Dw1)> commands) => Issue(commands, software: false);
}
