namespace SmmuLab.Cli.Tests;

/// <summary><c>smmulab list ...</c>, <c>smmulab help [COMMAND]</c> and what <c>--help</c> tells a user.</summary>
public sealed class ListAndHelpTests
{
    [Fact]
    public void List_opcodes_gives_every_opcode_with_its_value_and_fields()
    {
        var (code, output, _) = CliRun.Smmulab("list", "opcodes");

        Assert.Equal(0, code);
        Assert.Contains("  0x12  TLBI_NH_VA            num, scale, vmid, asid, leaf, ttl128, ttl, tg, addr", output, StringComparison.Ordinal);
        Assert.Contains("  0x46  SYNC                  cs, msh, msiattr, msidata, msiaddr", output, StringComparison.Ordinal);
        Assert.Contains("CFGI_ALL", output, StringComparison.Ordinal);
    }

    [Fact]
    public void List_products_features_and_events_name_what_the_scenario_format_takes()
    {
        Assert.Contains("mmu-600   IIDR.ProductID 0x483", CliRun.Smmulab("list", "products").Out, StringComparison.Ordinal);
        Assert.Contains("off unless listed:     s1, s2, nesting, ril, ats, msi, sev, btm, hyp, pri", CliRun.Smmulab("list", "features").Out, StringComparison.Ordinal);
        Assert.Contains("  0x10  F_TRANSLATION", CliRun.Smmulab("list", "events").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void List_of_something_unknown_is_refused() =>
        CliRun.AssertUsageError(CliRun.Smmulab("list", "colours"), "cannot list 'colours' (expected one of: features, products, opcodes, events)");

    [Fact]
    public void Help_for_a_command_is_its_help_text()
    {
        var (code, output, _) = CliRun.Smmulab("help", "decode");
        var (_, direct, _) = CliRun.Smmulab("decode", "--help");

        Assert.Equal(0, code);
        Assert.Equal(direct, output);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_for_an_unknown_command_is_refused() =>
        CliRun.AssertUsageError(CliRun.Smmulab("help", "nope"), "no command 'nope'");

    [Fact]
    public void Encode_help_lists_the_opcodes_and_their_field_names()
    {
        var (_, output, _) = CliRun.Smmulab("encode", "--help");

        Assert.Contains("TLBI_NH_VA       num scale vmid asid leaf ttl128 ttl tg addr", output, StringComparison.Ordinal);
        Assert.Contains("SYNC             cs msh msiattr msidata msiaddr", output, StringComparison.Ordinal);
    }
}
