using SmmuLab.Driver.Cmdq;
using SmmuLab.TestSupport.Designs;

namespace SmmuLab.Concurrency.Tests.Controls;

/// <summary>
/// The suite must catch each broken variant: every entry of <see cref="NegativeControls"/> is run
/// against the check that catches it, the real designs pass those checks, and no broken variant
/// or driver fault is left out of the list.
/// </summary>
public class NegativeControlTests
{
    public static TheoryData<string> Controls() => [.. NegativeControls.All.Select(c => c.Name)];

    public static TheoryData<string> PassingChecks() => [.. NegativeControls.Passing.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Controls))]
    public void Control_is_caught(string control)
    {
        var c = NegativeControls.All.Single(x => x.Name == control);
        c.Catch();
    }

    [Theory]
    [MemberData(nameof(PassingChecks))]
    public void Correct_driver_passes_the_check(string check) =>
        NegativeControls.Passing.Single(x => x.Name == check).Check();

    [Fact]
    public void Every_broken_variant_is_listed_with_a_check()
    {
        var designs = typeof(DelegatingInvalidationDesign).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(DelegatingInvalidationDesign).Namespace && t.IsPublic && !t.IsAbstract)
            .Select(t => t.Name);
        var faults = Enum.GetNames<CommandQueueFault>().Where(f => f != nameof(CommandQueueFault.None));
        var listed = NegativeControls.All.Select(c => c.Name).ToList();

        Assert.All(designs, d => Assert.Contains(d, listed));
        Assert.All(faults, f => Assert.Contains(listed, n => n.StartsWith($"{nameof(CommandQueueFault)}.{f}", StringComparison.Ordinal)));
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.All(NegativeControls.All, c => Assert.False(string.IsNullOrWhiteSpace(c.CaughtBy)));

        // The ten defects issue 11 names, each with a control.
        string[] required =
        [
            "no ATC_INV", "no CMD_SYNC between the TLBIs and the ATC_INVs", "wrong ASID", "LEAF=1 after a table was freed",
            "unref before the STE switch", "publish after the STE install", "ATS disabled while ATC_INVs are in flight",
            "no last-detach flush", "the seed's continue in the range loop", "the CMDQV guest filter chosen before HYP_OWN is final",
        ];
        Assert.All(required, r => Assert.Contains(NegativeControls.All, c => c.Defect == r));
    }
}
