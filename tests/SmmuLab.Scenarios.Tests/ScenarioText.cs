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
    public const string Machine = """
        [[smmu]]
        name = "smmu0"
        features = ["s1", "s2"]
        [[device]]
        name = "nic"
        sids = [0x20]
        [[domain]]
        name = "dom"
        kind = "s1"
        [[domain]]
        name = "dom2"
        kind = "s2"
        vmid = 3
        """;

    /// <summary>A stage-1 and a stage-2 device; map, DMA, unmap (with invalidation), DMA faults. Runs on <see cref="HandProgrammedScenarioMachine"/>.</summary>
    public const string TraceScenario = """
        [[smmu]]
        name = "smmu0"
        features = ["s1", "s2"]
        [[device]]
        name = "nic"
        sids = [0x20]
        [[device]]
        name = "gpu"
        sids = [0x30]
        [[domain]]
        name = "d1"
        kind = "s1"
        asid = 5
        [[domain]]
        name = "d2"
        kind = "s2"
        vmid = 3
        [[step]]
        op = "attach"
        device = "nic"
        domain = "d1"
        [[step]]
        op = "attach"
        device = "gpu"
        domain = "d2"
        [[step]]
        op = "map"
        domain = "d1"
        iova = 0x10000
        pa = 0x80000000
        size = 0x3000
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x10000
        size = 0x3000
        access = "read"
        expect = "ok"
        [[step]]
        op = "unmap"
        domain = "d1"
        iova = 0x10000
        size = 0x3000
        [[step]]
        op = "dma"
        device = "nic"
        iova = 0x11000
        size = 0x1000
        access = "write"
        expect = "fault"
        [[step]]
        op = "dma"
        device = "gpu"
        iova = 0x10000
        size = 0x1000
        access = "read"
        expect = "fault"
        """;
}
