using System.Runtime.CompilerServices;

namespace SmmuLab.Architecture.Bits;

/// <summary>How a field's value is presented when decoded.</summary>
public enum FieldKind : byte
{
    /// <summary>A plain unsigned value, right-aligned.</summary>
    Value,

    /// <summary>
    /// An address whose low bits are implied zero: the field occupies bits [Hi:Lo] of the address
    /// itself (for example S1ContextPtr [55:6]), so <see cref="Field.GetAddress(ulong)"/> returns the
    /// address in place rather than shifted down.
    /// </summary>
    Address,
}

/// <summary>
/// One bit field of a little-endian structure made of 64-bit double words (STE, CD, command, event
/// record) or of a register. Bits are inclusive <c>[Lo + Width - 1 : Lo]</c> of double word
/// <see cref="Dword"/>. Every layout in SmmuLab is written once as a set of these, with the spec's
/// field names, and is read by the hardware model, the driver and the command line alike.
/// </summary>
public readonly record struct Field(string Name, int Dword, int Lo, int Width, FieldKind Kind = FieldKind.Value)
{
    /// <summary>Highest bit, inclusive.</summary>
    public int Hi => Lo + Width - 1;

    /// <summary>The right-aligned value mask.</summary>
    public ulong ValueMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Width >= 64 ? ulong.MaxValue : (1UL << Width) - 1;
    }

    /// <summary>The mask of the field's bits in place within its double word.</summary>
    public ulong InPlaceMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ValueMask << Lo;
    }

    /// <summary>Extracts the right-aligned value from one double word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Get(ulong dword) => (dword >> Lo) & ValueMask;

    /// <summary>Extracts the right-aligned value from a structure.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Get(ReadOnlySpan<ulong> dwords) => Get(dwords[Dword]);

    /// <summary>True when the field is a single set bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSet(ulong dword) => (dword & InPlaceMask) != 0;

    /// <summary>True when the field is non-zero in the structure.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsSet(ReadOnlySpan<ulong> dwords) => (dwords[Dword] & InPlaceMask) != 0;

    /// <summary>An address field read in place: bits outside [Hi:Lo] are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong GetAddress(ulong dword) => dword & InPlaceMask;

    /// <summary>An address field read in place from a structure.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong GetAddress(ReadOnlySpan<ulong> dwords) => dwords[Dword] & InPlaceMask;

    /// <summary>Returns <paramref name="dword"/> with the field replaced by <paramref name="value"/> (truncated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Insert(ulong dword, ulong value) => (dword & ~InPlaceMask) | ((value & ValueMask) << Lo);

    /// <summary>Returns <paramref name="dword"/> with the address field replaced by the in-place bits of <paramref name="address"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong InsertAddress(ulong dword, ulong address) => (dword & ~InPlaceMask) | (address & InPlaceMask);

    /// <summary>Writes the field of a structure.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(Span<ulong> dwords, ulong value) => dwords[Dword] = Insert(dwords[Dword], value);

    /// <summary>The field's value in place, for building a double word by OR-ing fields together.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Make(ulong value) => (value & ValueMask) << Lo;

    /// <summary>True when <paramref name="value"/> (right-aligned) fits the field's width.</summary>
    public bool Fits(ulong value) => (value & ~ValueMask) == 0;

    /// <summary>Reads the field as presented to a person: addresses in place, values right-aligned.</summary>
    public ulong Present(ReadOnlySpan<ulong> dwords) => Kind == FieldKind.Address ? GetAddress(dwords) : Get(dwords);

    /// <summary>Writes a value given as presented (an address in place, or a right-aligned value).</summary>
    public void SetPresented(Span<ulong> dwords, ulong value)
    {
        if (Kind == FieldKind.Address)
        {
            dwords[Dword] = InsertAddress(dwords[Dword], value);
        }
        else
        {
            Set(dwords, value);
        }
    }

    /// <summary>True when a presented value can be stored without losing bits.</summary>
    public bool FitsPresented(ulong value) =>
        Kind == FieldKind.Address ? (value & ~InPlaceMask) == 0 : Fits(value);

    /// <inheritdoc/>
    public override string ToString() => Width == 1 ? $"{Name}[{Dword * 64 + Lo}]" : $"{Name}[{Dword * 64 + Hi}:{Dword * 64 + Lo}]";
}
