namespace SmmuLab.Architecture.Bits;

/// <summary>
/// A named structure layout: its size in double words and its architected fields in order. Used to
/// decode and encode by field name (the command line, traces) and to compute reserved-bit masks.
/// </summary>
public sealed class Layout
{
    private readonly Dictionary<string, Field> byName;

    public Layout(string name, int dwords, params Field[] fields)
    {
        Name = name;
        Dwords = dwords;
        Fields = fields;
        byName = new Dictionary<string, Field>(StringComparer.OrdinalIgnoreCase);
        var reserved = new ulong[dwords];
        Array.Fill(reserved, ulong.MaxValue);
        foreach (var f in fields)
        {
            if (f.Dword >= dwords || f.Lo < 0 || f.Hi > 63)
            {
                throw new ArgumentException($"{name}: field {f} is outside the structure");
            }

            if ((~reserved[f.Dword] & f.InPlaceMask) != 0)
            {
                throw new ArgumentException($"{name}: field {f} overlaps another field");
            }

            reserved[f.Dword] &= ~f.InPlaceMask;
            byName.Add(f.Name, f);
        }

        ReservedMask = reserved;
    }

    public string Name { get; }

    public int Dwords { get; }

    public IReadOnlyList<Field> Fields { get; }

    /// <summary>Per double word, the bits no field of this layout defines (RES0 for this use).</summary>
    public IReadOnlyList<ulong> ReservedMask { get; }

    /// <summary>The bits of double word <paramref name="dword"/> that some field defines.</summary>
    public ulong DefinedMask(int dword = 0) => ~ReservedMask[dword];

    public bool TryGetField(string name, out Field field) => byName.TryGetValue(name, out field);

    /// <summary>True when any bit outside the defined fields is set.</summary>
    public bool HasReservedBitsSet(ReadOnlySpan<ulong> dwords)
    {
        for (var i = 0; i < Dwords; i++)
        {
            if ((dwords[i] & ReservedMask[i]) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every field's name and presented value, in declaration order.</summary>
    public IEnumerable<(Field Field, ulong Value)> Decode(ulong[] dwords)
    {
        foreach (var f in Fields)
        {
            yield return (f, f.Present(dwords));
        }
    }
}
