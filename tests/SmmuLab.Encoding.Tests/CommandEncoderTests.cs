using SmmuLab.Architecture.Commands;

namespace SmmuLab.Encoding.Tests;

public class CommandEncoderTests
{
    /// <summary>Each opcode with representative fields and the words worked out by hand from IHI0070 4.x.</summary>
    private static readonly (string Op, string[] Fields, ulong Dw0, ulong Dw1)[] Table =
    [
        ("CMD_PREFETCH_CONFIG", ["sid=0x1234", "ssid=5", "ssv=1"], 0x0000_1234_0000_5801UL, 0),
        ("PREFETCH_ADDR", ["sid=7", "ssv=1", "ssid=0xfffff", "size=3", "addr=0xffff000000001000"], 0x0000_0007_FFFF_F802UL, 0xFFFF_0000_0000_1003UL),
        ("cfgi_ste", ["sid=16", "leaf=1"], 0x0000_0010_0000_0003UL, 1),
        ("CFGI_STE_RANGE", ["sid=0x100", "range=7"], 0x0000_0100_0000_0004UL, 7),
        ("CFGI_ALL", [], 0x4UL, 31),
        ("cmd_cfgi_all", ["range=31", "ssec=1"], 0x404UL, 31),
        ("CFGI_CD", ["sid=3", "ssid=0x42", "leaf=1"], 0x0000_0003_0004_2005UL, 1),
        ("CFGI_CD_ALL", ["sid=0xffffffff"], 0xFFFF_FFFF_0000_0006UL, 0),
        ("TLBI_NH_ALL", ["vmid=0x1234"], 0x0000_1234_0000_0010UL, 0),
        ("TLBI_NH_ASID", ["vmid=1", "asid=0xbeef"], 0xBEEF_0001_0000_0011UL, 0),
        ("TLBI_NH_VA", ["asid=1", "vmid=2", "addr=0x12345000", "tg=1", "num=3", "scale=2", "ttl=3", "leaf=1"], 0x0001_0002_0020_3012UL, 0x0000_0000_1234_5701UL),
        ("TLBI_NH_VAA", ["vmid=5", "addr=0xffff800000000000", "leaf=1", "tg=3", "ttl=2", "num=31", "scale=63"], 0x0000_0005_03F1_F013UL, 0xFFFF_8000_0000_0E01UL),
        ("TLBI_EL3_ALL", [], 0x18UL, 0),
        ("TLBI_EL3_VA", ["addr=0x4000", "ttl128=1", "tg=1", "ttl=1"], 0x1AUL, 0x4580UL),
        ("TLBI_EL2_ALL", [], 0x20UL, 0),
        ("TLBI_EL2_ASID", ["asid=7"], 0x0007_0000_0000_0021UL, 0),
        ("TLBI_EL2_VA", ["asid=9", "addr=0x7000", "leaf=1"], 0x0009_0000_0000_0022UL, 0x7001UL),
        ("TLBI_EL2_VAA", ["addr=0x8000", "num=1", "scale=1", "tg=2"], 0x0010_1023UL, 0x8800UL),
        ("TLBI_S12_VMALL", ["vmid=0xffff"], 0x0000_FFFF_0000_0028UL, 0),
        ("TLBI_S2_IPA", ["vmid=3", "addr=0xfffffffffff000", "leaf=1"], 0x0000_0003_0000_002AUL, 0x00FF_FFFF_FFFF_F001UL),
        ("TLBI_NSNH_ALL", [], 0x30UL, 0),
        ("ATC_INV", ["sid=0x20", "ssid=1", "ssv=1", "global=1", "size=52", "addr=0"], 0x0000_0020_0000_1A40UL, 0x34UL),
        ("PRI_RESP", ["sid=2", "ssid=3", "ssv=1", "grpid=0x1ff", "resp=2"], 0x0000_0002_0000_3841UL, 0x21FFUL),
        ("RESUME", ["sid=4", "ac=1", "stag=0xabcd"], 0x0000_0004_0000_1044UL, 0xABCDUL),
        ("RESUME", ["sid=4", "ab=1", "stag=0xabcd"], 0x0000_0004_0000_2044UL, 0xABCDUL),
        ("STALL_TERM", ["sid=9", "ssec=1"], 0x0000_0009_0000_0445UL, 0),
        ("CMD_SYNC", ["cs=1", "msiaddr=0x1000", "msidata=0"], 0x1046UL, 0x1000UL),
        ("CMD_SYNC", ["cs=2", "msh=3", "msiattr=0xf", "msidata=0xdeadbeef", "msiaddr=0xfffffffffffffc"], 0xDEAD_BEEF_0FC0_2046UL, 0x00FF_FFFF_FFFF_FFFCUL),
    ];

    public static TheoryData<string, string[], ulong, ulong> Cases()
    {
        var data = new TheoryData<string, string[], ulong, ulong>();
        foreach (var (op, fields, dw0, dw1) in Table)
        {
            data.Add(op, fields, dw0, dw1);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encodes_hand_computed_words(string op, string[] fields, ulong dw0, ulong dw1)
    {
        var result = CommandEncoder.Encode(op, fields);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal($"0x{dw0:x16} 0x{dw1:x16}", CommandEncoder.Format(result.Value));
    }

    [Fact]
    public void Every_opcode_has_a_hand_computed_case()
    {
        var covered = Table.Select(row => row.Op).Select(name =>
        {
            Assert.True(OpcodeNames.TryParse(name, out var op, out _));
            return op;
        }).ToHashSet();
        Assert.Equal(CommandLayouts.All.ToHashSet(), covered);
    }

    /// <summary>Linux's <c>CMDQ_OP_*</c> names (<c>arm-smmu-v3.h</c>) are the spec's, but for PREFETCH_CFG and CMD_SYNC.</summary>
    [Theory]
    [InlineData("PREFETCH_CFG", "CMD_PREFETCH_CONFIG", "took Linux's CMDQ_OP_PREFETCH_CFG as CMD_PREFETCH_CONFIG")]
    [InlineData("cmdq_op_prefetch_cfg", "CMD_PREFETCH_CONFIG", "took Linux's CMDQ_OP_PREFETCH_CFG as CMD_PREFETCH_CONFIG")]
    [InlineData("CMDQ_OP_CMD_SYNC", "CMD_SYNC", "took Linux's CMDQ_OP_CMD_SYNC as CMD_SYNC")]
    [InlineData("CMDQ_OP_TLBI_NH_VA", "CMD_TLBI_NH_VA", "took Linux's CMDQ_OP_TLBI_NH_VA as CMD_TLBI_NH_VA")]
    [InlineData("CMDQ_OP_CFGI_ALL", "CMD_CFGI_STE_RANGE", "took Linux's CMDQ_OP_CFGI_ALL as CMD_CFGI_ALL (CMD_CFGI_STE_RANGE, range 31)")]
    [InlineData("PREFETCH_CONFIG", "CMD_PREFETCH_CONFIG", null)]
    [InlineData("CMD_SYNC", "CMD_SYNC", null)]
    public void Linux_names_resolve_and_say_which_command_they_were_taken_as(string name, string opcode, string? note)
    {
        Assert.True(OpcodeNames.TryParse(name, out var op, out _));
        Assert.Equal(opcode, op.ToString());
        Assert.Equal(note, OpcodeNames.LinuxNameNote(name));
    }

    [Fact]
    public void Brief_example_is_exact() =>
        Assert.Equal("0x0000000000001046 0x0000000000001000", CommandEncoder.EncodeToText("CMD_SYNC", ["cs=1", "msiaddr=0x1000", "msidata=0"]).Value);

    [Theory]
    [InlineData("TLBI_NH_VA")]
    [InlineData("tlbi_nh_va")]
    [InlineData("CMD_TLBI_NH_VA")]
    [InlineData("cmd_Tlbi_Nh_Va")]
    public void Opcode_names_ignore_prefix_and_case(string name)
    {
        Assert.True(OpcodeNames.TryParse(name, out var op, out var cfgiAll));
        Assert.Equal(Opcode.CMD_TLBI_NH_VA, op);
        Assert.False(cfgiAll);
    }

    [Fact]
    public void CFGI_all_is_STE_range_31()
    {
        Assert.True(OpcodeNames.TryParse("CMD_CFGI_ALL", out var op, out var cfgiAll));
        Assert.Equal(Opcode.CMD_CFGI_STE_RANGE, op);
        Assert.True(cfgiAll);
        Assert.Equal(Command.CfgiAll(), CommandEncoder.Encode("cfgi_all", []).Value);
    }

    [Fact]
    public void Matches_the_architecture_factories()
    {
        Assert.Equal(Command.Sync(SyncCompletion.SIG_IRQ, 0x8000_0040, 0x1234, msh: 3, msiAttr: 0xF),
            CommandEncoder.Encode("sync", ["cs=1", "msiaddr=0x80000040", "msidata=0x1234", "msh=3", "msiattr=15"]).Value);
        Assert.Equal(Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 7, 0, 0x4000_0000, true, tg: 1, ttl: 2, scale: 4, num: 9),
            CommandEncoder.Encode("tlbi_s2_ipa", ["vmid=7", "addr=0x40000000", "leaf=1", "tg=1", "ttl=2", "scale=4", "num=9"]).Value);
        Assert.Equal(Command.PriResp(1, 2, true, 3, PriResponse.Fail),
            CommandEncoder.Encode("pri_resp", ["sid=1", "ssid=2", "ssv=1", "grpid=3", "resp=1"]).Value);
        Assert.Equal(Command.AtcInv(5, 0, false, 0x10_0000, 8),
            CommandEncoder.Encode("atc_inv", ["sid=5", "addr=0x100000", "size=8"]).Value);
    }

    [Theory]
    [InlineData(ResumeAction.Term, "resp=0")]
    [InlineData(ResumeAction.Retry, "resp=1")]
    [InlineData(ResumeAction.Abort, "resp=2")]
    public void Resume_accepts_the_linux_resp_field(ResumeAction action, string resp) =>
        Assert.Equal(Command.Resume(8, 0x55, action), CommandEncoder.Encode("resume", ["sid=8", "stag=0x55", resp]).Value);

    [Theory]
    [InlineData("pri_resp", "prgindex=5", "grpid=5")]
    [InlineData("atc_inv", "g=1", "global=1")]
    [InlineData("cfgi_cd", "streamid=3", "sid=3")]
    [InlineData("cfgi_cd", "substreamid=3", "ssid=3")]
    [InlineData("sync", "msiaddress=0x40", "msiaddr=0x40")]
    [InlineData("sync", "CS=1", "cs=1")]
    public void Spec_long_names_are_aliases(string op, string alias, string canonical) =>
        Assert.Equal(CommandEncoder.Encode(op, [canonical]).Value, CommandEncoder.Encode(op, [alias]).Value);

    [Theory]
    [InlineData("4096", 4096UL)]
    [InlineData("0x1000", 4096UL)]
    [InlineData("0X1000", 4096UL)]
    [InlineData("0xffff_ffff", 0xFFFF_FFFFUL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("0x0000000000000000000001", 1UL)]
    public void Numbers_parse_in_decimal_or_hex_with_underscores(string text, ulong value) => Assert.Equal(value, NumberParser.ParseValue(text).Value);

    [Theory]
    [InlineData("FOO", "unknown opcode 'FOO'")]
    [InlineData("0x46", "unknown opcode '0x46'")]
    [InlineData("CMD_", "unknown opcode")]
    public void Refuses_unknown_opcodes(string op, string message) => AssertRefused(op, [], message);

    [Theory]
    [InlineData("TLBI_NH_VA", "sid=1", "CMD_TLBI_NH_VA has no field 'sid' (fields: num, scale, vmid, asid, leaf, ttl128, ttl, tg, addr)")]
    [InlineData("TLBI_EL2_VA", "vmid=1", "CMD_TLBI_EL2_VA has no field 'vmid'")]
    [InlineData("TLBI_NSNH_ALL", "vmid=1", "CMD_TLBI_NSNH_ALL has no field 'vmid' (fields: none)")]
    [InlineData("PRI_RESP", "ssec=1", "CMD_PRI_RESP has no field 'ssec'")]
    [InlineData("CFGI_ALL", "leaf=1", "CFGI_ALL has no field 'leaf' (fields: ssec)")]
    [InlineData("CFGI_ALL", "sid=5", "CFGI_ALL has no field 'sid': with range=31 the StreamID is IGNORED (give CFGI_STE_RANGE to set it) (fields: ssec)")]
    [InlineData("SYNC", "resp=1", "CMD_SYNC has no field 'resp'")]
    [InlineData("SYNC", "op=0x46", "'op' is the opcode itself")]
    public void Refuses_unknown_fields(string op, string field, string message) => AssertRefused(op, [field], message);

    [Theory]
    [InlineData("TLBI_NH_VA", "num=32", "value 0x20 does not fit num dw0[16:12] (5 bits, at most 0x1f)")]
    [InlineData("TLBI_NH_VA", "scale=64", "value 0x40 does not fit scale")]
    [InlineData("TLBI_NH_VA", "asid=0x10000", "does not fit asid")]
    [InlineData("CFGI_STE", "leaf=2", "value 0x2 does not fit leaf dw1[0] (1 bit, at most 0x1)")]
    [InlineData("SYNC", "cs=4", "does not fit cs")]
    [InlineData("ATC_INV", "size=64", "does not fit size")]
    [InlineData("PREFETCH_CONFIG", "sid=0x100000000", "does not fit sid")]
    [InlineData("CFGI_CD", "ssid=0x100000", "does not fit ssid")]
    public void Refuses_values_that_do_not_fit(string op, string field, string message) => AssertRefused(op, [field], message);

    [Theory]
    [InlineData("SYNC", "msiaddr=0x1001", "msiaddr 0x1001 is misaligned: CMD_SYNC takes address bits [55:2], so bits [1:0] must be zero")]
    [InlineData("TLBI_NH_VA", "addr=0x1234", "addr 0x1234 is misaligned: CMD_TLBI_NH_VA takes address bits [63:12], so bits [11:0] must be zero")]
    [InlineData("TLBI_S2_IPA", "addr=0x800", "is misaligned")]
    [InlineData("TLBI_S2_IPA", "addr=0x100000000000000", "addr 0x100000000000000 is out of range: CMD_TLBI_S2_IPA takes address bits [55:12]")]
    [InlineData("SYNC", "msiaddr=0x100000000000000", "out of range")]
    public void Refuses_bad_addresses(string op, string field, string message) => AssertRefused(op, [field], message);

    [Theory]
    [InlineData("sid", "expected field=value, got 'sid'")]
    [InlineData("=5", "expected field=value, got '=5'")]
    [InlineData("sid=", "sid: '' is not a number")]
    [InlineData("sid=xyz", "sid: 'xyz' is not a number (use decimal or 0x-hex)")]
    [InlineData("sid=0x", "sid: '0x' is not a hex number")]
    [InlineData("sid=0xg", "is not a hex number")]
    [InlineData("sid=-1", "is not a number")]
    [InlineData("sid=18446744073709551616", "does not fit in 64 bits")]
    [InlineData("sid=0x10000000000000000", "does not fit in 64 bits")]
    public void Refuses_malformed_assignments(string field, string message) => AssertRefused("CFGI_STE", [field], message);

    [Theory]
    [InlineData("CFGI_STE", new[] { "sid=1", "SID=2" }, "field 'sid' given twice")]
    [InlineData("RESUME", new[] { "ac=1", "resp=1" }, "field 'resp' overlaps 'ac'")]
    [InlineData("CFGI_ALL", new[] { "range=5" }, "CFGI_ALL is CFGI_STE_RANGE with range=31; range=5 contradicts it")]
    public void Refuses_fields_that_contradict_each_other_or_the_opcode(string op, string[] fields, string message) =>
        AssertRefused(op, fields, message);

    private static void AssertRefused(string op, string[] fields, string message)
    {
        var result = CommandEncoder.Encode(op, fields);
        Assert.False(result.IsSuccess);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error!);
    }
}
