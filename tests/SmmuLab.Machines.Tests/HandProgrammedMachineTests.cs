using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Machines.Tests;

public class HandProgrammedMachineTests
{
    [Fact]
    public void Stage_one_mapping_translates_and_stale_entry_stays_until_TLBI()
    {
        using var m = new HandProgrammedMachine();
        var table = m.AddStage1Stream(0x11, asid: 9);
        table.Map(0x40_0000, 0x9000_0000, 0x1000);
        var first = m.Smmu.Translate(0x11, null, 0x40_0123, AccessKind.Read);
        Assert.Equal(TransactionOutcome.Translated, first.Outcome);
        Assert.Equal(0x9000_0123UL, first.PhysicalAddress);

        // Clearing the PTE without invalidation leaves the TLB entry in use (the architecture allows it).
        table.Unmap(0x40_0000, 0x1000);
        Assert.Equal(0x9000_0123UL, m.Smmu.Translate(0x11, null, 0x40_0123, AccessKind.Read).PhysicalAddress);

        // A TLBI for another ASID does not remove it; the right one does.
        m.Software.Submit(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 8, 0x40_0000, leaf: true));
        Assert.True(m.Smmu.Translate(0x11, null, 0x40_0123, AccessKind.Read).Succeeded);
        m.Software.Submit(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 9, 0x40_0000, leaf: true));
        Assert.Equal(TransactionOutcome.Aborted, m.Smmu.Translate(0x11, null, 0x40_0123, AccessKind.Read).Outcome);
    }

    [Fact]
    public void Stage_two_mapping_translates()
    {
        using var m = new HandProgrammedMachine();
        var table = m.AddStage2Stream(0x12, vmid: 4);
        table.Map(0x2000, 0x9100_0000, 0x2000);
        var r = m.Smmu.Translate(0x12, null, 0x3004, AccessKind.Write);
        Assert.Equal(0x9100_1004UL, r.PhysicalAddress);
    }

    [Fact]
    public void Allocator_aligns_and_refuses_exhaustion()
    {
        var a = new PhysicalAllocator(0x1000, 0x4000);
        Assert.Equal(0x1000UL, a.Allocate(8, 8));
        Assert.Equal(0x2000UL, a.Allocate(0x1000, 0x1000));
        Assert.Throws<InvalidOperationException>(() => a.Allocate(0x2000, 0x1000));
        Assert.Throws<ArgumentException>(() => a.Allocate(8, 3));
    }
}
