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

    /// <summary>
    /// Two VMs on one SMMU, each a guest with ASID 5 mapping IOVA 0x10000: vmA (VMID 9) -> PA 0xa0000000 for vf0,
    /// vmB (VMID 10) -> PA 0xb0000000 for vf1. #0..#5 set up, #6/#7 DMA both (ok), #8 guest A unmaps,
    /// #9 DMA vf0 (fault), #10 DMA vf1 (ok: B's translation is untouched), #11 flush guest B, #12 DMA vf1 (ok: still mapped).
    /// </summary>
    public static string TwoVms(bool cmdqv)
    {
        var b = new ScenarioBuilder().Invalidation("linux").Smmu("smmu0", "s1", "s2", "nesting", "ril", "msi", "ats");
        if (cmdqv)
        {
            b.Key("cmdqv", "true");
        }

        return b.Device("vf0", [0x400], smmu: "smmu0", ats: true)
            .Device("vf1", [0x500], smmu: "smmu0", ats: true)
            .Domain("vmA", "nest-parent", vmid: 9)
            .Key("smmu", "\"smmu0\"")
            .Domain("vmB", "nest-parent", vmid: 10)
            .Key("smmu", "\"smmu0\"")
            .NestedDomain("guestA", "vmA", asid: 5)
            .NestedDomain("guestB", "vmB", asid: 5)
            .Map("vmA", Ipa, Pa, 0x20_0000)
            .Map("vmB", Ipa, 0xb000_0000, 0x20_0000)
            .Attach("vf0", "guestA")
            .Attach("vf1", "guestB")
            .Map("guestA", 0x10000, Ipa, 0x1000)
            .Map("guestB", 0x10000, Ipa, 0x1000)
            .Dma("vf0", 0x10000, 0x1000, "read", expect: "ok")
            .Dma("vf1", 0x10000, 0x1000, "read", expect: "ok")
            .Unmap("guestA", 0x10000, 0x1000)
            .Dma("vf0", 0x10000, 0x1000, "read", expect: "fault")
            .Dma("vf1", 0x10000, 0x1000, "read", expect: "ok")
            .Flush("guestB")
            .Dma("vf1", 0x10000, 0x1000, "read", expect: "ok")
            .ToToml();
    }

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
