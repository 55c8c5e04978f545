namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab decode</c> reading a kernel log from standard input.</summary>
public sealed class DecodeCommandTests
{
    private const string Dmesg =
        "[    3.100000] arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:\n" +
        "[    3.100001] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000100000010\n" +
        "[    3.100002] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000020880000000\n" +
        "[    3.100003] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x00000000deadb000\n" +
        "[    3.100004] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000\n" +
        "[    3.200000] nvme nvme0: pci function 0000:01:00.0\n";

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    public void Decode_without_words_reads_a_kernel_log_from_standard_input(string dash)
    {
        var (code, output, error) = CliRun.SmmulabWithInput(Dmesg, dash.Length == 0 ? ["decode"] : ["decode", dash]);

        Assert.Equal(0, code);
        Assert.StartsWith("line 1: event 0x10 received\nevent F_TRANSLATION (0x10)\n", output, StringComparison.Ordinal);
        Assert.Contains("InputAddr   dw2[63:0]  = 0xdeadb000", output, StringComparison.Ordinal);
        Assert.Equal("smmulab: 6 lines read, 1 SMMU records decoded, 0 incomplete, 1 other lines skipped\n", error);
    }

    [Fact]
    public void A_log_without_any_smmu_record_exits_2()
    {
        var (code, output, error) = CliRun.SmmulabWithInput("[ 1.0] usb 1-1: new high-speed USB device\n", "decode");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("0 SMMU records decoded", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_without_a_structure_are_refused()
    {
        CliRun.AssertUsageError(CliRun.SmmulabWithInput("", "decode", "-", "0x1046"), "words were given without a structure");
    }
}
