using SmmuLab.TestSupport.Scenarios;

namespace SmmuLab.Scenarios.Tests;

/// <summary>Scenario texts shared by the tests.</summary>
internal static class ScenarioText
{
    /// <summary>The reference example scenario: every table kind and the common steps.</summary>
    public const string Example = """
        invalidation = "legacy"            # "linux" is the default when the key is left out
        [[smmu]]
        name = "smmu0"
        features = ["s1", "s2", "nesting", "ril", "ats", "msi"]   # what the IDRs advertise
        product = "generic"                # or "mmu-600 r0p2", "mmu-700 r1p1", ...
        [[device]]
        name = "nic"
        smmu = "smmu0"
        sids = [0x20, 0x21]
        ats = true
        [[domain]]
        name = "dom"
        kind = "s1"                        # s1 | s2 | nest-parent | sva | identity | blocked
        asid = 5                           # optional: pin the ASID (vmid = N likewise)
        [[step]]
        op = "attach"                      # attach | detach | map | unmap | dma | flush
        device = "nic"
        domain = "dom"
        [[step]]
        op = "map"
        domain = "dom"
        iova = 0x10000
        pa = 0x80000000
        size = 0x23000
        [[step]]
        op = "unmap"
        domain = "dom"
        iova = 0x10000
        size = 0x23000
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x1000
        access = "read"                    # read | write; expect = "ok" | "fault" checks the outcome
        """;

    /// <summary>A small machine (lines 1-13) that malformed-input tests append steps or tables to.</summary>
    public static readonly string Machine = MachineBuilder().ToToml();

    /// <summary>The text of <see cref="Machine"/>, to add steps to.</summary>
    public static ScenarioBuilder MachineBuilder() => new ScenarioBuilder()
        .Smmu("smmu0", "s1", "s2")
        .Device("nic", [0x20])
        .Domain("dom", "s1")
        .Domain("dom2", "s2", vmid: 3);

    /// <summary>A stage-1 and a stage-2 device; map, DMA, unmap (with invalidation), DMA faults. Runs on <see cref="HandProgrammedScenarioMachine"/>.</summary>
    public static readonly string TraceScenario = new ScenarioBuilder()
        .Smmu("smmu0", "s1", "s2")
        .Device("nic", [0x20])
        .Device("gpu", [0x30])
        .Domain("d1", "s1", asid: 5)
        .Domain("d2", "s2", vmid: 3)
        .Attach("nic", "d1")
        .Attach("gpu", "d2")
        .Map("d1", 0x10000, 0x80000000, 0x3000)
        .Dma("nic", 0x10000, 0x3000, "read", expect: "ok")
        .Unmap("d1", 0x10000, 0x3000)
        .Dma("nic", 0x11000, 0x1000, "write", expect: "fault")
        .Dma("gpu", 0x10000, 0x1000, "read", expect: "fault")
        .ToToml();
}
