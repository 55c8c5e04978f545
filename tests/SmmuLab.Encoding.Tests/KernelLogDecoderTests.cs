using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;

namespace SmmuLab.Encoding.Tests;

/// <summary>The SMMU records of a pasted kernel log: events, command-queue errors, GERROR, direct decode lines.</summary>
public sealed class KernelLogDecoderTests
{
    private const string Device = "arm-smmu-v3 arm-smmu-v3.0.auto: ";

    private static string Log(params string[] messages) =>
        string.Join('\n', messages.Select((m, i) => $"[   12.{i:D6}] {m}"));

    [Fact]
    public void An_event_dump_is_decoded_field_by_field()
    {
        // F_PERMISSION for StreamID 0x42, SubstreamID 3, as arm_smmu_evtq_thread prints it.
        var text = KernelLogDecoder.DecodeAll(Log(
            Device + "event 0x13 received:",
            Device + "\t0x0000004200003813",
            Device + "\t0x0000028880000000",
            Device + "\t0xffff000012345678",
            Device + "\t0x0000008000012000"));

        Assert.StartsWith("line 1: event 0x13 received\nevent F_PERMISSION (0x13)\n", text, StringComparison.Ordinal);
        Assert.Contains("StreamID    dw0[63:32] = 0x42", text, StringComparison.Ordinal);
        Assert.Contains("SubstreamID dw0[31:12] = 0x3", text, StringComparison.Ordinal);
        Assert.Contains("InputAddr   dw2[63:0]  = 0xffff000012345678", text, StringComparison.Ordinal);
        Assert.Contains("IPA         dw3[55:12] = 0x8000012000", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_queue_error_names_the_reason_and_decodes_the_skipped_command()
    {
        var tlbi = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 5, 0x1234_5000, leaf: true);
        var decoder = new KernelLogDecoder();
        using var output = new StringWriter();
        decoder.Decode(new StringReader(Log(
            Device + "unexpected global error reported (0x00000001), this could be serious",
            Device + "CMDQ error (cons 0x01000022): Illegal command",
            Device + "skipping command in error state:",
            Device + $"\t0x{tlbi.Dw0:x16}",
            Device + $"\t0x{tlbi.Dw1:x16}")), output);
        var text = output.ToString();

        Assert.Contains("line 1: SMMU_GERROR = 0x00000001", text, StringComparison.Ordinal);
        Assert.Contains("  CMDQ_ERR (bit 0)", text, StringComparison.Ordinal);
        Assert.Contains("line 2: SMMU_CMDQ_CONS = 0x01000022 (Illegal command)", text, StringComparison.Ordinal);
        Assert.Contains("ERR [30:24] = 0x1 (CERROR_ILL)", text, StringComparison.Ordinal);
        Assert.Contains("RD  [19:0]  = 0x22", text, StringComparison.Ordinal);
        Assert.Contains("line 3: command in error state\nCMD_TLBI_NH_VA (0x12)", text, StringComparison.Ordinal);
        Assert.Contains("asid   dw0[63:48] = 0x5", text, StringComparison.Ordinal);
        Assert.Equal((5, 3, 0, 0), (decoder.Lines, decoder.Records, decoder.Incomplete, (int)decoder.Skipped));
    }

    [Fact]
    public void Global_error_bits_the_model_does_not_implement_are_named_too()
    {
        var text = KernelLogDecoder.DecodeAll(Device + "unexpected global error reported (0x00000601), this could be serious");

        Assert.Contains("CMDQ_ERR (bit 0)", text, StringComparison.Ordinal);
        Assert.Contains("CMDQP_ERR (bit 9)", text, StringComparison.Ordinal);
        Assert.Contains("DPT_ERR (bit 10)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("reserved", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unrelated_lines_are_skipped_and_counted_and_a_cut_short_record_is_reported()
    {
        var decoder = new KernelLogDecoder();
        using var output = new StringWriter();
        decoder.Decode(new StringReader(Log(
            "nvme nvme0: I/O 12 QID 3 timeout, aborting",
            Device + "event 0x10 received:",
            Device + "\t0x0000000100000010",
            Device + "\t0x0000020880000000",
            "nvme nvme0: Abort status: 0x0",
            Device + "EVTQ overflow detected -- events lost")), output);
        var text = output.ToString();

        Assert.Contains("line 2: event 0x10 received: only 2 of 4 words followed; not decoded", text, StringComparison.Ordinal);
        Assert.Contains("line 6: EVTQ overflow", text, StringComparison.Ordinal);
        Assert.DoesNotContain("F_TRANSLATION", text, StringComparison.Ordinal);
        Assert.Equal((6L, 1, 1, 2L), (decoder.Lines, decoder.Records, decoder.Incomplete, decoder.Skipped));
    }

    [Fact]
    public void A_record_cut_by_the_end_of_the_input_is_reported()
    {
        var text = KernelLogDecoder.DecodeAll(Device + "skipping command in error state:\n" + Device + "\t0x0000000000000046");

        Assert.Equal("line 1: command in error state: only 1 of 2 words followed; not decoded\n", text);
    }

    [Fact]
    public void Direct_decode_lines_and_journal_prefixes_are_read()
    {
        var text = KernelLogDecoder.DecodeAll(
            "cmd 0x0000000000001046 0x0000000000001000\n" +
            $"Dec 07 11:02:03 host kernel: {Device}event 0x{(byte)EventId.C_BAD_STE:x2} received:\n" +
            "Dec 07 11:02:03 host kernel: " + Device + "\t0x0000000700000004\n" +
            "Dec 07 11:02:03 host kernel: " + Device + "\t0x0000000000000000\n" +
            "Dec 07 11:02:03 host kernel: " + Device + "\t0x0000000000000000\n" +
            "Dec 07 11:02:03 host kernel: " + Device + "\t0x0000000000000000");

        Assert.StartsWith("line 1: cmd\nCMD_SYNC (0x46)\n", text, StringComparison.Ordinal);
        Assert.Contains("line 2: event 0x04 received\nevent C_BAD_STE (0x04)", text, StringComparison.Ordinal);
        Assert.Contains("StreamID    dw0[63:32] = 0x7", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_overlong_line_is_skipped_without_being_parsed()
    {
        var decoder = new KernelLogDecoder();
        decoder.Feed(new string('0', KernelLogDecoder.MaxLineLength + 1));

        Assert.Equal((1L, 0, 1L), (decoder.Lines, decoder.Records, decoder.Skipped));
    }
}
