using System.Globalization;
using System.Text;

namespace SmmuLab.Fuzzing;

/// <summary>What the fuzzed model did, summed over cases: commands and their errors, transactions and their faults, events.</summary>
public sealed class FuzzStatistics
{
    private readonly SortedDictionary<string, long> commandErrors = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> faults = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> events = new(StringComparer.Ordinal);

    public long Cases { get; internal set; }

    public long Actions { get; internal set; }

    public long Commands { get; internal set; }

    /// <summary>Commands with an opcode the architecture does not define (each must end in CERROR_ILL).</summary>
    public long UndefinedOpcodes { get; internal set; }

    public long Transactions { get; internal set; }

    public long TransactionsSucceeded { get; internal set; }

    public long RegisterWrites { get; internal set; }

    public long StructureWrites { get; internal set; }

    /// <summary>CMDQ_CONS.ERR values seen, by name.</summary>
    public IReadOnlyDictionary<string, long> CommandErrors => commandErrors;

    /// <summary>Transaction faults, by event name.</summary>
    public IReadOnlyDictionary<string, long> Faults => faults;

    /// <summary>Event records read from the event queue, by name.</summary>
    public IReadOnlyDictionary<string, long> Events => events;

    /// <summary>"NAME n, NAME n" of a table, or "none".</summary>
    public static string Format(IReadOnlyDictionary<string, long> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value}")));

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"cases {Cases}, actions {Actions}, commands {Commands} ({UndefinedOpcodes} undefined opcodes), ");
        sb.Append(CultureInfo.InvariantCulture, $"transactions {Transactions} ({TransactionsSucceeded} succeeded), register writes {RegisterWrites}, structure writes {StructureWrites}");
        return sb.ToString();
    }

    internal void CountCommandError(string name) => Bump(commandErrors, name);

    internal void CountFault(string name) => Bump(faults, name);

    internal void CountEvent(string name) => Bump(events, name);

    private static void Bump(SortedDictionary<string, long> table, string key) =>
        table[key] = table.TryGetValue(key, out var n) ? n + 1 : 1;
}
