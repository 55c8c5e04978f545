using System.Text;
using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Encoding;

/// <summary>The structures <c>smmulab decode</c> reads.</summary>
public enum StructureKind
{
    Cmd,
    Ste,
    Cd,
    Event,
    Pte,
}

/// <summary>
/// Decodes a dump of a command, STE, CD, event record or translation table descriptor into one line
/// per architected field (name, place, value in hex, meaning where it has one), the way a driver
/// developer reads it. Returns text; the command line prints it.
/// </summary>
public static class StructureDecoder
{
    /// <summary>The kinds by the name the command line takes.</summary>
    public static IReadOnlyDictionary<string, StructureKind> Kinds { get; } =
        new Dictionary<string, StructureKind>(StringComparer.OrdinalIgnoreCase)
        {
            ["cmd"] = StructureKind.Cmd,
            ["ste"] = StructureKind.Ste,
            ["cd"] = StructureKind.Cd,
            ["event"] = StructureKind.Event,
            ["pte"] = StructureKind.Pte,
        };

    /// <summary>Double words in a structure.</summary>
    public static int WordsOf(StructureKind kind) => kind switch
    {
        StructureKind.Cmd => CommandLayouts.Dwords,
        StructureKind.Ste => Ste.Dwords,
        StructureKind.Cd => Cd.Dwords,
        StructureKind.Event => EventRecord.Dwords,
        _ => 1,
    };

    /// <summary>
    /// True when fewer words than the structure holds may be given (the rest taken as zero): STE and
    /// CD, whose upper double words are often zero in a dump.
    /// </summary>
    public static bool AllowsShortDump(StructureKind kind) => kind is StructureKind.Ste or StructureKind.Cd;

    /// <summary>Parses <paramref name="kind"/> and the hex words, then decodes.</summary>
    public static Result<string> Decode(string kind, IEnumerable<string> words)
    {
        if (!Kinds.TryGetValue(kind, out var k))
        {
            return Result<string>.Fail($"unknown structure '{kind}' (expected one of: {string.Join(", ", Kinds.Keys)})");
        }

        var parsed = ParseWords(words);
        return parsed.IsSuccess ? Decode(k, parsed.Value) : Result<string>.Fail(parsed.Error!);
    }

    /// <summary>Decodes <paramref name="words"/> as <paramref name="kind"/>, checking the word count.</summary>
    public static Result<string> Decode(StructureKind kind, IReadOnlyList<ulong> words)
    {
        var need = WordsOf(kind);
        var name = kind.ToString().ToLowerInvariant();
        if (words.Count > need || words.Count == 0 || (words.Count < need && !AllowsShortDump(kind)))
        {
            var expected = AllowsShortDump(kind) ? $"1 to {need}" : $"exactly {need}";
            return Result<string>.Fail($"{name} takes {expected} 64-bit word{(need == 1 ? string.Empty : "s")}, got {words.Count}");
        }

        var dw = new ulong[need];
        for (var i = 0; i < words.Count; i++)
        {
            dw[i] = words[i];
        }

        return Result<string>.Ok(kind switch
        {
            StructureKind.Cmd => DecodeCommand(new Command(dw[0], dw[1])),
            StructureKind.Ste => DecodeSte(dw, words.Count),
            StructureKind.Cd => DecodeCd(dw, words.Count),
            StructureKind.Event => DecodeEvent(new EventRecord(dw[0], dw[1], dw[2], dw[3])),
            _ => DecodePte(dw[0]),
        });
    }

    /// <summary>
    /// Hex words, with or without 0x. An argument may hold several words separated by spaces or
    /// commas, so a pasted dump works quoted or not.
    /// </summary>
    public static Result<IReadOnlyList<ulong>> ParseWords(IEnumerable<string> tokens)
    {
        var words = new List<ulong>();
        foreach (var token in tokens.SelectMany(t => t.Split([' ', '\t', ',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)))
        {
            var word = NumberParser.ParseHexWord(token);
            if (!word.IsSuccess)
            {
                return Result<IReadOnlyList<ulong>>.Fail($"word {words.Count}: {word.Error}");
            }

            words.Add(word.Value);
        }

        return Result<IReadOnlyList<ulong>>.Ok(words);
    }

    /// <summary>The opcode name on the first line, then every field of that opcode, then reserved bits.</summary>
    public static string DecodeCommand(Command command)
    {
        var sb = new StringBuilder();
        var opByte = (byte)command.Dw0;
        var name = OpcodeNames.SpecName(opByte);
        ulong[] dw = [command.Dw0, command.Dw1];
        if (name is null)
        {
            sb.Append($"reserved opcode 0x{opByte:x2}: this command would be CERROR_ILL\n");
            sb.Append($"  dw0 = 0x{command.Dw0:x16}\n  dw1 = 0x{command.Dw1:x16}\n");
            return sb.ToString();
        }

        var layout = CommandLayouts.For(opByte)!;
        var isCfgiAll = command.Opcode == Opcode.CMD_CFGI_STE_RANGE && command.Get(CommandLayouts.Range) == CommandLayouts.CfgiAllRange;
        sb.Append($"{name} (0x{opByte:x2}){(isCfgiAll ? $" = {OpcodeNames.CfgiAllSpecName}" : string.Empty)}\n");
        AppendFields(sb, layout, dw, f => CommandMeaning(command, f));
        var span = TlbiSpan(command, layout);
        if (span is not null)
        {
            sb.Append($"  {span}\n");
        }

        for (var i = 0; i < CommandLayouts.Dwords; i++)
        {
            var reserved = dw[i] & layout.ReservedMask[i];
            if (reserved != 0)
            {
                sb.Append($"reserved bits set in dw{i}: 0x{reserved:x16} -> CERROR_ILL on an SMMU that checks them, ignored on one that does not (IHI0070 4.1.5)\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Every Non-secure STE field with the Config meaning. <paramref name="given"/> words were in the
    /// dump; the rest were taken as zero and the output says so.
    /// </summary>
    public static string DecodeSte(ulong[] dw, int given = Ste.Dwords)
    {
        var sb = new StringBuilder();
        var config = (uint)Ste.Config.Get(dw);
        sb.Append($"STE: {(Ste.V.IsSet(dw) ? "valid" : "invalid (V == 0: C_BAD_STE)")}, Config 0b{Convert.ToString(config, 2).PadLeft(3, '0')} = {SteConfig.Name(config)}\n");
        AppendShortDumpNote(sb, given, Ste.Dwords);
        AppendFields(sb, Ste.Layout, dw, f => SteMeaning(dw, f));
        AppendUndecoded(sb, Ste.Layout, dw, "Secure, Realm or later-version fields");
        return sb.ToString();
    }

    /// <summary>Every CD field; <paramref name="given"/> as for <see cref="DecodeSte"/>.</summary>
    public static string DecodeCd(ulong[] dw, int given = Cd.Dwords)
    {
        var sb = new StringBuilder();
        sb.Append($"CD: {(Cd.V.IsSet(dw) ? "valid" : "invalid (V == 0: C_BAD_CD)")}, ASID 0x{Cd.ASID.Get(dw):x}, "
            + $"{(Cd.AA64.IsSet(dw) ? "AArch64" : "AArch32 (AA64 == 0)")} tables\n");
        AppendShortDumpNote(sb, given, Cd.Dwords);
        AppendFields(sb, Cd.Layout, dw, f => CdMeaning(dw, f));
        AppendUndecoded(sb, Cd.Layout, dw, "later-version fields");
        return sb.ToString();
    }

    /// <summary>The event name on the first line, then the fields of its record format.</summary>
    public static string DecodeEvent(EventRecord record)
    {
        var sb = new StringBuilder();
        var type = (byte)record.Dw0;
        ulong[] dw = [record.Dw0, record.Dw1, record.Dw2, record.Dw3];
        var known = Enum.IsDefined(record.Id);
        sb.Append(known ? $"event {record.Id} (0x{type:x2})\n" : $"event type 0x{type:x2} (not an architected event)\n");
        var layout = EventRecord.LayoutFor(record.Id);
        AppendFields(sb, layout, dw, f => f == EventRecord.CLASS ? ClassName(f.Get(dw)) : f == EventRecord.RnW ? (f.IsSet(dw) ? "read" : "write") : null);
        AppendUndecoded(sb, layout, dw, "fields of other record formats");
        return sb.ToString();
    }

    /// <summary>A VMSAv8-64 descriptor: its type and every field, with the 64K/52-bit address when it applies.</summary>
    public static string DecodePte(ulong desc)
    {
        var sb = new StringBuilder();
        var type = (desc & Descriptor.Valid) == 0
            ? "invalid (bit 0 clear)"
            : (desc & Descriptor.TableOrPage) != 0 ? "table (levels 0-2) or page (level 3)" : "block (levels 1-2)";
        sb.Append($"PTE: {type}\n");
        ulong[] dw = [desc];
        AppendFields(sb, Descriptor.Layout, dw, f => f == Descriptor.AP ? ApMeaning(f.Get(desc)) : f == Descriptor.SH ? ShareName(f.Get(desc)) : null);
        var high = (desc >> 12) & 0xF;
        if (high != 0)
        {
            sb.Append($"  if the granule is 64K with a 52-bit PA: OA = 0x{Descriptor.OutputAddress(desc, Granule.Size64K, 3, false):x} (OA[51:48] in bits [15:12])\n");
        }

        var undecoded = desc & Descriptor.Layout.ReservedMask[0];
        if (undecoded != 0)
        {
            sb.Append($"bits set outside the decoded fields: 0x{undecoded:x16} (OA[51:48] with LPA, or RES0)\n");
        }

        return sb.ToString();
    }

    private static void AppendShortDumpNote(StringBuilder sb, int given, int words)
    {
        if (given < words)
        {
            sb.Append($"note: {given} of {words} double words given; dw{given}{(given < words - 1 ? $"-dw{words - 1}" : string.Empty)} taken as zero\n");
        }
    }

    private static void AppendFields(StringBuilder sb, Layout layout, ulong[] dw, Func<Field, string?> meaning)
    {
        var fields = layout.Fields.Where(f => f != CommandLayouts.Op).ToList();
        if (fields.Count == 0)
        {
            sb.Append("  (no fields)\n");
            return;
        }

        var nameWidth = fields.Max(f => f.Name.Length);
        var placeWidth = fields.Max(f => FieldText.Location(f).Length);
        foreach (var f in fields)
        {
            var m = meaning(f);
            sb.Append($"  {f.Name.PadRight(nameWidth)} {FieldText.Location(f).PadRight(placeWidth)} = 0x{f.Present(dw):x}");
            sb.Append(m is null ? "\n" : $" ({m})\n");
        }
    }

    private static void AppendUndecoded(StringBuilder sb, Layout layout, ulong[] dw, string what)
    {
        for (var i = 0; i < layout.Dwords; i++)
        {
            var bits = dw[i] & layout.ReservedMask[i];
            if (bits != 0)
            {
                sb.Append($"bits set outside the decoded fields in dw{i}: 0x{bits:x16} ({what}, or RES0)\n");
            }
        }
    }

    private static string? CommandMeaning(Command c, Field f)
    {
        var v = c.Get(f);
        if (f == CommandLayouts.Cs)
        {
            return v switch { 0 => "SIG_NONE", 1 => "SIG_IRQ", 2 => "SIG_SEV", _ => "reserved: CERROR_ILL" };
        }

        if (f == CommandLayouts.Msh)
        {
            return ShareName(v);
        }

        if (f == CommandLayouts.Tg)
        {
            return v == 0 ? "any granule: no range, no TTL" : $"{GranuleGeometry.FromTlbiTg((uint)v)!.Value.Bytes() / 1024}K granule";
        }

        if (f == CommandLayouts.PriResp)
        {
            return v switch { 0 => "ResponseFailure", 1 => "InvalidRequest", 2 => "Success", _ => "reserved: CERROR_ILL" };
        }

        if (f == CommandLayouts.ResumeAc)
        {
            return v == 1 ? "retry" : "terminate";
        }

        if (f == CommandLayouts.ResumeAb)
        {
            return c.Get(CommandLayouts.ResumeAc) == 1 ? "ignored on retry" : v == 1 ? "abort" : "RAZ/WI";
        }

        if (f == CommandLayouts.Range && c.Opcode == Opcode.CMD_CFGI_STE_RANGE)
        {
            return v == CommandLayouts.CfgiAllRange ? "all StreamIDs" : $"2^{v + 1} StreamIDs";
        }

        if (f == CommandLayouts.AtcSize && c.Opcode == Opcode.CMD_ATC_INV)
        {
            return v >= CommandLayouts.AtcInvSizeAll ? "2^64 bytes: everything" : $"4K * 2^{v} bytes";
        }

        if (f == CommandLayouts.Leaf)
        {
            return v == 1 ? "last level only" : "all levels";
        }

        return null;
    }

    /// <summary>For a range TLBI (TG != 0), the span (NUM+1) * 2^SCALE granules (4.4.1.1).</summary>
    private static string? TlbiSpan(Command c, Layout layout)
    {
        if (!layout.TryGetField("tg", out _) || GranuleGeometry.FromTlbiTg((uint)c.Get(CommandLayouts.Tg)) is not { } g)
        {
            return null;
        }

        var num = c.Get(CommandLayouts.Num);
        var scale = (int)c.Get(CommandLayouts.Scale);
        if (num == 0 && scale == 0 && c.Get(CommandLayouts.Ttl) == 0)
        {
            return "range: NUM == 0, SCALE == 0 and TTL == 0 with TG != 0 is reserved: CERROR_ILL";
        }

        var bytes = (UInt128)(num + 1) << (scale + g.Shift());
        return $"range: (NUM+1) * 2^SCALE = {num + 1} * 2^{scale} granules = 0x{bytes:x} bytes";
    }

    private static string? SteMeaning(ulong[] dw, Field f)
    {
        var v = (uint)f.Get(dw);
        if (f == Ste.Config)
        {
            return SteConfig.Name(v);
        }

        if (f == Ste.S1Fmt)
        {
            return v switch { S1Fmt.Linear => "linear", S1Fmt.TwoLevel4K => "2-level, 4K leaf tables", S1Fmt.TwoLevel64K => "2-level, 64K leaf tables", _ => "reserved" };
        }

        if (f == Ste.S1CDMax)
        {
            return v == 0 ? "one CD, no substreams" : $"2^{v} CDs";
        }

        if (f == Ste.S1DSS)
        {
            return v switch { S1Dss.Terminate => "terminate", S1Dss.Bypass => "bypass", S1Dss.Ssid0 => "use SSID 0", _ => "reserved" };
        }

        if (f == Ste.EATS)
        {
            return v switch { Eats.Abort => "ATS abort", Eats.Trans => "ATS translated", Eats.S1Chk => "split-stage ATS", _ => "ATS with DPT" };
        }

        if (f == Ste.STRW)
        {
            return v switch { 0 => "EL1", 1 => "EL3 (Secure STEs)", 2 => "EL2 / EL2-E2H", _ => "reserved" };
        }

        if (f == Ste.S2TG)
        {
            return GranuleName(GranuleGeometry.FromTg0(v));
        }

        if (f == Ste.S2PS)
        {
            return $"{AddressSize.ToBits(v)}-bit";
        }

        if (f == Ste.S2T0SZ)
        {
            return $"{64 - v}-bit IPA";
        }

        return null;
    }

    private static string? CdMeaning(ulong[] dw, Field f)
    {
        var v = (uint)f.Get(dw);
        if (f == Cd.TG0)
        {
            return GranuleName(GranuleGeometry.FromTg0(v));
        }

        if (f == Cd.TG1)
        {
            return GranuleName(GranuleGeometry.FromTg1(v));
        }

        if (f == Cd.T0SZ || f == Cd.T1SZ)
        {
            return $"{64 - v}-bit VA";
        }

        if (f == Cd.IPS)
        {
            return $"{AddressSize.ToBits(v)}-bit";
        }

        return null;
    }

    private static string GranuleName(Granule? g) => g is { } x ? $"{x.Bytes() / 1024}K" : "reserved";

    private static string ShareName(ulong sh) => sh switch { 0 => "non-shareable", 1 => "reserved", 2 => "outer shareable", _ => "inner shareable" };

    private static string ClassName(ulong cls) => cls switch { 0 => "CD fetch", 1 => "TT fetch", 2 => "input address", _ => "reserved" };

    private static string ApMeaning(ulong ap) => ap switch
    {
        0 => "stage 1: EL1 RW; stage 2: no access",
        1 => "stage 1: RW at any EL; stage 2: read",
        2 => "stage 1: EL1 RO; stage 2: write",
        _ => "stage 1: RO at any EL; stage 2: RW",
    };
}
