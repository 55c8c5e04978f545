using System.Runtime.CompilerServices;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Shares one string per distinct name (devices, comms, drivers, gfp texts), looked up by span so
/// a repeated name costs no allocation; the name returned last is checked first, since trace lines
/// mostly repeat their neighbour's. Bounded: past <see cref="Capacity"/> distinct names, new names
/// are returned as fresh strings and not remembered.
/// </summary>
internal sealed class NameTable
{
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup;
    private string last = string.Empty;

    public NameTable(int capacity)
    {
        Capacity = capacity;
        lookup = names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; }

    public int Count => names.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string Get(ReadOnlySpan<char> name)
    {
        if (name.SequenceEqual(last))
        {
            return last;
        }

        if (lookup.TryGetValue(name, out var known))
        {
            last = known;
            return known;
        }

        var s = name.ToString();
        if (names.Count < Capacity)
        {
            names.Add(s);
        }

        return s;
    }
}
