using CsCheck;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Fuzzing;

/// <summary>
/// CsCheck generators of fuzz cases. Each structure is either shaped (the fields that decide the
/// walk set to values that point into the machine's tables, the rest sparse random bits) or
/// wholly random; commands carry a defined opcode most of the time, any byte otherwise; register
/// writes go to named registers or anywhere in the 128 KiB frame.
/// </summary>
public static class FuzzGenerators
{
    private static readonly byte[] DefinedOpcodes = [.. Enum.GetValues<Opcode>().Select(o => (byte)o)];

    /// <summary>64 random bits, each set with probability 1/8: mostly-zero words, so fields take small values.</summary>
    public static readonly Gen<ulong> Sparse = Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong, (a, b, c) => a & b & c);

    /// <summary>A random word: sparse, dense or zero.</summary>
    public static readonly Gen<ulong> Word = Gen.Frequency((4, Sparse), (1, Gen.ULong), (2, Gen.Const(0UL)));

    /// <summary>Noise for shaped structures and command fields: mostly zero, else a bit or two (each bit set with probability 1/64).</summary>
    public static readonly Gen<ulong> Faint = Gen.Frequency(
        (4, Gen.Const(0UL)),
        (2, Gen.Select(Sparse, Sparse, (a, b) => a & b)),
        (1, Sparse));

    /// <summary>Noise for the double words of a shaped structure: most stay zero, so about half the images are legal.</summary>
    public static readonly Gen<ulong> Rare = Gen.Frequency((10, Gen.Const(0UL)), (1, Faint));

    /// <summary>An STE: shaped for stage 1, stage 2, nested, bypass or abort, or eight random words.</summary>
    public static readonly Gen<ulong[]> SteImage = Gen.Frequency(
        (5, Gen.Select(Rare.Array[8], Gen.UInt[0, 7], Gen.Int[0, 9], Gen.Int[0, 100], ShapeSte)),
        (1, Word.Array[8]));

    /// <summary>A CD: shaped (AArch64, a TTB0 in the page-table area, a sensible T0SZ and granule) or random.</summary>
    public static readonly Gen<ulong[]> CdImage = Gen.Frequency(
        (5, Gen.Select(Rare.Array[8], Gen.Int[16, 39], Gen.Int[0, FuzzMachine.PageTableCount - 1], Gen.UInt[0, 3], ShapeCd)),
        (1, Word.Array[8]));

    /// <summary>A descriptor: a table pointer into the page-table area, a page or block of RAM, or random.</summary>
    public static readonly Gen<ulong> Descriptor = Gen.Frequency(
        (3, Gen.Int[0, FuzzMachine.PageTableCount - 1].Select(t => (FuzzMachine.PageTables + ((ulong)t * 4096)) | 0b11)),
        (3, Gen.Select(Gen.ULong[0, (1UL << 28) - 1], Sparse, (page, attrs) => (page << 12) | 0x403 | (attrs & 0xFFF0_0000_0000_0FFCUL))),
        (2, Word));

    /// <summary>A command: a defined opcode (most of the time) or any byte, in two words of random fields.</summary>
    public static readonly Gen<(ulong Dw0, ulong Dw1)> CommandWords = Gen.Select(
        Gen.Frequency((5, Gen.OneOf(DefinedOpcodes)), (1, Gen.Byte)), Gen.Frequency((3, Faint), (1, Word)), Gen.Frequency((3, Faint), (1, Word)),
        (op, dw0, dw1) => ((dw0 & ~0xFFUL) | op, dw1));

    /// <summary>A register write: a named register (mostly) or any aligned offset of the frame, 32 or 64 bits.</summary>
    public static readonly Gen<WriteRegister> Register = Gen.Select(
        Gen.Frequency((4, Gen.OneOf<int>([.. FuzzMachine.NamedRegisters])), (1, Gen.Int[0, (0x20000 / 8) - 1].Select(i => i * 8))),
        Word, Gen.Bool, (offset, value, wide) => new WriteRegister(offset, value, wide));

    /// <summary>A transaction: a StreamID (some beyond the table), with or without a SubstreamID, at a low or any address.</summary>
    public static readonly Gen<Transaction> Dma = Gen.Select(
        Gen.Frequency((6, Gen.UInt[0, 3]), (2, Gen.UInt[0, (1u << FuzzMachine.SidBits) + 8]), (1, Gen.UInt)),
        Gen.Frequency((3, Gen.Const((uint?)null)), (1, Gen.UInt[0, 40].Select(s => (uint?)s))),
        Gen.Frequency((4, Gen.ULong[0, (1UL << 21) - 1]), (2, Gen.ULong[0, (1UL << 39) - 1]), (1, Gen.ULong)),
        Gen.Bool,
        (sid, ssid, address, write) => new Transaction(sid, ssid, address, write));

    /// <summary>One action of any kind.</summary>
    public static readonly Gen<FuzzAction> Action = Gen.Frequency(
        (3, Gen.Select(Gen.Frequency((4, Gen.Int[0, 3]), (1, Gen.Int[0, (1 << FuzzMachine.SidBits) - 1])), SteImage, (sid, ste) => (FuzzAction)new WriteSte(sid, ste))),
        (2, Gen.Select(Gen.Int[0, FuzzMachine.CdCount - 1], CdImage, (i, cd) => (FuzzAction)new WriteCd(i, cd))),
        (3, Gen.Select(Gen.Int[0, FuzzMachine.PageTableCount - 1], Gen.Int[0, 511], Descriptor, (t, i, d) => (FuzzAction)new WriteDescriptor(t, i, d))),
        (3, CommandWords.List[1, 6].Select(c => (FuzzAction)new IssueCommands(c))),
        (1, Register.Select(r => (FuzzAction)r)),
        (6, Dma.Select(d => (FuzzAction)d)));

    /// <summary>A case: 1 to 24 actions.</summary>
    public static readonly Gen<FuzzCase> Case = Action.List[1, 24].Select(a => new FuzzCase(a));

    private static ulong[] ShapeSte(ulong[] noise, uint config, int cdMaxLog2, int flavour)
    {
        var s = (ulong[])noise.Clone();
        Ste.V.Set(s, flavour < 95 ? 1UL : 0);
        Ste.Config.Set(s, flavour < 80 ? 0b100 | (config & 0b11) : config);
        Ste.S1Fmt.Set(s, flavour < 70 ? 0 : (ulong)(flavour & 3));
        Ste.S1ContextPtr.SetPresented(s, FuzzMachine.CdTable);
        Ste.S1CDMax.Set(s, (ulong)Math.Min(cdMaxLog2, 4));
        Ste.S2T0SZ.Set(s, 25);
        Ste.S2SL0.Set(s, 1);
        Ste.S2TG.Set(s, 0);
        Ste.S2PS.Set(s, 5);
        Ste.S2AA64.Set(s, 1);
        Ste.S2TTB.SetPresented(s, FuzzMachine.PageTables + ((ulong)(flavour % FuzzMachine.PageTableCount) * 4096));
        return s;
    }

    private static ulong[] ShapeCd(ulong[] noise, int t0sz, int table, uint tg0)
    {
        var c = (ulong[])noise.Clone();
        Cd.V.Set(c, 1);
        Cd.AA64.Set(c, 1);
        Cd.T0SZ.Set(c, (ulong)t0sz);
        Cd.TG0.Set(c, tg0);
        Cd.EPD1.Set(c, 1);
        Cd.IPS.Set(c, 5);
        Cd.R.Set(c, 1);
        Cd.A.Set(c, 1);
        Cd.TTB0.SetPresented(c, FuzzMachine.PageTables + ((ulong)table * 4096));
        return c;
    }
}
