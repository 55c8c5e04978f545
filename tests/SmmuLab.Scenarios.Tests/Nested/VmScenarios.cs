using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Scenarios.Tests.Nested;

/// <summary>Scenario texts of a VM with a vSMMU: stage 2 "vm" (VMID 9), the guest's stage 1 "guest" (ASID 5), device vf0 (SID 0x400).</summary>
internal static class VmScenarios
{
    public const ulong Ipa = 0x4000_0000;
    public const ulong Pa = 0xa000_0000;

    /// <summary>
    /// #0 map vm IPA 0x40000000+2M -> PA 0xa0000000, #1 attach vf0 -> guest, #2 map guest 0x10000+16K -> IPA 0x40008000,
    /// #3 DMA write 0x10000+16K (ok), #4 unmap guest 0x10000+8K, #5 DMA read 0x10000 (judged by the oracle),
    /// #6 DMA read 0x12000+8K (ok).
    /// </summary>
    public static string GuestUnmap(string design, bool ats, bool cmdqv) => Vm(design, ats, cmdqv)
        .Unmap("guest", 0x10000, 0x2000)
        .Dma("vf0", 0x10000, 0x1000, "read")
        .Dma("vf0", 0x12000, 0x2000, "read", expect: "ok")
        .ToToml();

    /// <summary>#0..#3 as <see cref="GuestUnmap"/>, #4 unmap vm IPA 0x40000000+2M, #5 DMA read 0x12000 (judged by the oracle).</summary>
    public static string Stage2Unmap(string design, bool ats, bool cmdqv) => Vm(design, ats, cmdqv)
        .Unmap("vm", Ipa, 0x20_0000)
        .Dma("vf0", 0x12000, 0x1000, "read")
        .ToToml();

    private static ScenarioBuilder Vm(string design, bool ats, bool cmdqv)
    {
        var b = new ScenarioBuilder()
            .Invalidation(design)
            .Smmu("smmu0", ats ? ["s1", "s2", "nesting", "ril", "msi", "ats"] : ["s1", "s2", "nesting", "ril", "msi"]);
        if (cmdqv)
        {
            b.Key("cmdqv", "true");
        }

        return b.Device("vf0", [0x400], smmu: "smmu0", ats: ats)
            .Domain("vm", "nest-parent", vmid: 9)
            .NestedDomain("guest", "vm", asid: 5)
            .Map("vm", Ipa, Pa, 0x20_0000)
            .Attach("vf0", "guest")
            .Map("guest", 0x10000, Ipa + 0x8000, 0x4000)
            .Dma("vf0", 0x10000, 0x4000, "write", expect: "ok");
    }
}
