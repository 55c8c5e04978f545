using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Encoding.Tests;

public class StructureDecoderTests
{
    private static string Decoded(string kind, params string[] words)
    {
        var result = StructureDecoder.Decode(kind, words);
        Assert.True(result.IsSuccess, result.Error);
        return result.Value;
    }

    private static string Line(string text, string field) =>
        text.Split('\n').Single(l => l.StartsWith($"  {field} ", StringComparison.Ordinal));

    [Fact]
    public void Command_first_line_is_the_opcode()
    {
        var text = Decoded("cmd", "0x0000000000001046", "0x0000000000001000");
        Assert.StartsWith("CMD_SYNC (0x46)\n", text, StringComparison.Ordinal);
        Assert.Equal("  cs      dw0[13:12] = 0x1 (SIG_IRQ)", Line(text, "cs"));
        Assert.Equal("  msiaddr dw1[55:2]  = 0x1000", Line(text, "msiaddr"));
        Assert.DoesNotContain("reserved", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_reserved_bits_are_flagged()
    {
        var text = Decoded("cmd", "0x100046", "0x3");
        Assert.Contains("reserved bits set in dw0: 0x0000000000100000 -> CERROR_ILL on an SMMU that checks them, ignored on one that does not (IHI0070 4.1.5)", text, StringComparison.Ordinal);
        Assert.Contains("reserved bits set in dw1: 0x0000000000000003 -> CERROR_ILL on an SMMU that checks them, ignored on one that does not (IHI0070 4.1.5)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_with_a_reserved_opcode_says_so() =>
        Assert.StartsWith("reserved opcode 0x07: this command would be CERROR_ILL", Decoded("cmd", "7", "0"), StringComparison.Ordinal);

    [Fact]
    public void CFGI_all_is_named()
    {
        var text = Decoded("cmd", "4", "1f");
        Assert.StartsWith("CMD_CFGI_STE_RANGE (0x04) = CMD_CFGI_ALL\n", text, StringComparison.Ordinal);
        Assert.Contains("(all StreamIDs)", Line(text, "range"), StringComparison.Ordinal);
    }

    [Fact]
    public void Range_TLBI_shows_its_span()
    {
        var text = Decoded("cmd", "0x0001000200203012", "0x0000000012345701");
        Assert.Contains("  range: (NUM+1) * 2^SCALE = 4 * 2^2 granules = 0x10000 bytes", text, StringComparison.Ordinal);
        Assert.Contains("(4K granule)", Line(text, "tg"), StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_shows_action_and_abort()
    {
        var text = Decoded("cmd", "0x0000000400002044", "0xabcd");
        Assert.Equal("  ac   dw0[12]    = 0x0 (terminate)", Line(text, "ac"));
        Assert.Equal("  ab   dw0[13]    = 0x1 (abort)", Line(text, "ab"));
        Assert.Equal("  stag dw1[15:0]  = 0xabcd", Line(text, "stag"));
    }

    [Fact]
    public void STE_with_known_values()
    {
        var ste = new ulong[Ste.Dwords];
        Ste.V.Set(ste, 1);
        Ste.Config.Set(ste, SteConfig.Nested);
        Ste.S1ContextPtr.SetPresented(ste, 0x8_1234_5640);
        Ste.S1CDMax.Set(ste, 4);
        Ste.S2VMID.Set(ste, 0x2a);
        Ste.S2TG.Set(ste, 1);
        Ste.S2PS.Set(ste, 5);
        Ste.S2TTB.SetPresented(ste, 0x8_0000_0000);
        var text = Decoded("ste", [.. ste.Select(w => $"0x{w:x16}")]);

        Assert.StartsWith("STE: valid, Config 0b111 = nested\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("note:", text, StringComparison.Ordinal);
        Assert.Contains("= 0x7 (nested)", Line(text, "Config      "), StringComparison.Ordinal);
        Assert.Contains("= 0x812345640", Line(text, "S1ContextPtr"), StringComparison.Ordinal);
        Assert.Contains("= 0x4 (2^4 CDs)", Line(text, "S1CDMax     "), StringComparison.Ordinal);
        Assert.Contains("= 0x2a", Line(text, "S2VMID      "), StringComparison.Ordinal);
        Assert.Contains("= 0x1 (64K)", Line(text, "S2TG        "), StringComparison.Ordinal);
        Assert.Contains("= 0x5 (48-bit)", Line(text, "S2PS        "), StringComparison.Ordinal);
        Assert.Contains("= 0x800000000", Line(text, "S2TTB       "), StringComparison.Ordinal);
        Assert.Equal(Ste.Layout.Fields.Count, text.Split('\n').Count(l => l.StartsWith("  ", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(0b000u, "abort")]
    [InlineData(0b100u, "bypass")]
    [InlineData(0b101u, "s1-trans")]
    [InlineData(0b110u, "s2-trans")]
    [InlineData(0b111u, "nested")]
    public void STE_config_meaning(uint config, string meaning) =>
        Assert.Contains($"= {meaning}\n", Decoded("ste", $"0x{1 | (config << 1):x}"), StringComparison.Ordinal);

    [Fact]
    public void Short_STE_and_CD_dumps_are_zero_filled_and_say_so()
    {
        var ste = Decoded("ste", "0x9", "0");
        Assert.Contains("note: 2 of 8 double words given; dw2-dw7 taken as zero", ste, StringComparison.Ordinal);
        Assert.StartsWith("STE: valid, Config 0b100 = bypass", ste, StringComparison.Ordinal);
        Assert.Contains("note: 7 of 8 double words given; dw7 taken as zero", Decoded("cd", "0", "0", "0", "0", "0", "0", "0"), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_STE_says_so() =>
        Assert.StartsWith("STE: invalid (V == 0: C_BAD_STE)", Decoded("ste", "0"), StringComparison.Ordinal);

    [Fact]
    public void STE_bits_outside_the_layout_are_reported() =>
        Assert.Contains("bits set outside the decoded fields in dw5: 0x0000000000000001", Decoded("ste", "1", "0", "0", "0", "0", "1"), StringComparison.Ordinal);

    [Fact]
    public void CD_with_known_values()
    {
        var cd = new ulong[Cd.Dwords];
        Cd.T0SZ.Set(cd, 16);
        Cd.TG0.Set(cd, 2);
        Cd.EPD1.Set(cd, 1);
        Cd.V.Set(cd, 1);
        Cd.IPS.Set(cd, 6);
        Cd.AA64.Set(cd, 1);
        Cd.ASID.Set(cd, 0x1234);
        Cd.TTB0.SetPresented(cd, 0x1_0000_0000);
        Cd.MAIR.Set(cd, 0x0000_0000_0044_ff04);
        var text = Decoded("cd", [.. cd.Take(4).Select(w => $"{w:x}")]);

        Assert.StartsWith("CD: valid, ASID 0x1234, AArch64 tables\n", text, StringComparison.Ordinal);
        Assert.Contains("note: 4 of 8 double words given; dw4-dw7 taken as zero", text, StringComparison.Ordinal);
        Assert.Contains("= 0x10 (48-bit VA)", Line(text, "T0SZ  "), StringComparison.Ordinal);
        Assert.Contains("= 0x2 (16K)", Line(text, "TG0   "), StringComparison.Ordinal);
        Assert.Contains("= 0x6 (52-bit)", Line(text, "IPS   "), StringComparison.Ordinal);
        Assert.Contains("= 0x100000000", Line(text, "TTB0  "), StringComparison.Ordinal);
        Assert.Contains("= 0x44ff04", Line(text, "MAIR  "), StringComparison.Ordinal);
    }

    [Fact]
    public void Event_with_known_values()
    {
        var e = EventRecord.Create(EventId.F_PERMISSION, 0x42, ssid: 3).WithAccess(read: true, instruction: false, privileged: false).WithFault(true, FaultClass.IN);
        e = e with { Dw2 = 0xFFFF_0000_1234_5678, Dw3 = 0x0000_0080_0001_2000 };
        var text = Decoded("event", $"{e.Dw0:x}", $"{e.Dw1:x}", $"{e.Dw2:x}", $"{e.Dw3:x}");

        Assert.StartsWith("event F_PERMISSION (0x13)\n", text, StringComparison.Ordinal);
        Assert.Contains("= 0x42", Line(text, "StreamID   "), StringComparison.Ordinal);
        Assert.Contains("= 0x3", Line(text, "SubstreamID"), StringComparison.Ordinal);
        Assert.Contains("= 0x1 (read)", Line(text, "RnW        "), StringComparison.Ordinal);
        Assert.Contains("= 0x2 (input address)", Line(text, "CLASS      "), StringComparison.Ordinal);
        Assert.Contains("= 0xffff000012345678", Line(text, "InputAddr  "), StringComparison.Ordinal);
        Assert.Contains("= 0x8000012000", Line(text, "IPA        "), StringComparison.Ordinal);
    }

    [Fact]
    public void Fetch_events_show_the_fetch_address()
    {
        var text = Decoded("event", "0x0000000700000003", "0", "0", "0x0000000080001ff8");
        Assert.StartsWith("event F_STE_FETCH (0x03)\n", text, StringComparison.Ordinal);
        Assert.Contains("= 0x80001ff8", Line(text, "FetchAddr  "), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_event_type_is_named_as_such() =>
        Assert.StartsWith("event type 0x7f (not an architected event)", Decoded("event", "7f", "0", "0", "0"), StringComparison.Ordinal);

    [Fact]
    public void Pte_with_known_values()
    {
        var text = Decoded("pte", "0x0040000080000f43");
        Assert.StartsWith("PTE: table (levels 0-2) or page (level 3)\n", text, StringComparison.Ordinal);
        Assert.Contains("= 0x80000000", Line(text, "OA        "), StringComparison.Ordinal);
        Assert.Contains("= 0x1", Line(text, "AF        "), StringComparison.Ordinal);
        Assert.Contains("= 0x3 (inner shareable)", Line(text, "SH        "), StringComparison.Ordinal);
        Assert.Contains("= 0x1", Line(text, "UXN       "), StringComparison.Ordinal);
        Assert.DoesNotContain("64K", text, StringComparison.Ordinal);

        Assert.StartsWith("PTE: block (levels 1-2)", Decoded("pte", "0x40000701"), StringComparison.Ordinal);
        Assert.StartsWith("PTE: invalid (bit 0 clear)", Decoded("pte", "0"), StringComparison.Ordinal);
        Assert.Contains("if the granule is 64K with a 52-bit PA: OA = 0x3000080000000", Decoded("pte", "0x80003703"), StringComparison.Ordinal);
        Assert.Contains("bits set outside the decoded fields: 0x0007000000000000", Decoded("pte", "0x0007000000000003"), StringComparison.Ordinal);
    }

    [Fact]
    public void Words_may_come_in_one_argument() =>
        Assert.Equal(Decoded("cmd", "0x1046", "0x1000"), Decoded("cmd", "0x1046 0x1000"));

    [Theory]
    [InlineData("cmd", new[] { "0x1046" }, "cmd takes exactly 2 64-bit words, got 1")]
    [InlineData("cmd", new[] { "1", "2", "3" }, "cmd takes exactly 2 64-bit words, got 3")]
    [InlineData("event", new[] { "1", "2", "3" }, "event takes exactly 4 64-bit words, got 3")]
    [InlineData("pte", new[] { "1", "2" }, "pte takes exactly 1 64-bit word, got 2")]
    [InlineData("ste", new[] { "1", "2", "3", "4", "5", "6", "7", "8", "9" }, "ste takes 1 to 8 64-bit words, got 9")]
    [InlineData("cd", new string[0], "cd takes 1 to 8 64-bit words, got 0")]
    [InlineData("cmd", new[] { "0x1046", "0xzz" }, "word 1: '0xzz' is not a hex number")]
    [InlineData("cmd", new[] { "0x10000000000000000", "0" }, "word 0: '0x10000000000000000' does not fit in 64 bits")]
    [InlineData("pte", new[] { "0x" }, "word 0: '0x' is not a hex number")]
    [InlineData("regs", new[] { "1" }, "unknown structure 'regs' (expected one of: cmd, ste, cd, event, pte)")]
    public void Bad_kinds_and_words_are_refused_with_a_message(string kind, string[] words, string message)
    {
        var result = StructureDecoder.Decode(kind, words);
        Assert.False(result.IsSuccess);
        Assert.Equal(message, result.Error);
    }
}
