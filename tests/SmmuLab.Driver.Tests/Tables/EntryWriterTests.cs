using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Tables;
using SmmuLab.TestSupport.Memory;
using static SmmuLab.Driver.Tests.Tables.EntryFixtures;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>The writer's step structure, its DMA-memory path, and the harness's own power to catch a torn update.</summary>
public sealed class EntryWriterTests
{
    private const ulong SteAddress = 0x8_0000_1040;

    [Fact]
    public void Rewriting_the_same_entry_stores_nothing()
    {
        var harness = EntryWriteHarness.ForSte(Bypass(), Bypass());
        Assert.Equal(EntryUpdateKind.Unchanged, harness.Run());
        Assert.Equal(0, harness.Syncs);
    }

    [Fact]
    public void Changing_only_mev_is_one_direct_store()
    {
        var nested = CdTable(S1Dss.Bypass, TestMaster.Ats | TestMaster.Nested);
        var noMev = (ulong[])nested.Clone();
        noMev[1] &= ~Ste.MEV.InPlaceMask;
        var harness = EntryWriteHarness.ForSte(nested, noMev);
        Assert.Equal(EntryUpdateKind.Direct, harness.Run());
        Assert.Equal(1, harness.Syncs);
        Assert.Equal(noMev, harness.Entry);
    }

    [Fact]
    public void Enabling_ATS_on_stage2_is_one_direct_store()
    {
        var harness = EntryWriteHarness.ForSte(S2Domain(TestMaster.None), S2Domain(TestMaster.Ats));
        Assert.Equal(EntryUpdateKind.Direct, harness.Run());
        Assert.Equal(1, harness.Syncs);
        Assert.Empty(harness.Violations);
    }

    [Fact]
    public void Enabling_ATS_on_stalling_stage2_is_ordered_but_still_one_store()
    {
        // With S2S set, EATS is not update-safe: qword 1 is critical, and nothing else changes.
        var harness = EntryWriteHarness.ForSte(S2Domain(TestMaster.Stall), S2Domain(TestMaster.Stall | TestMaster.Ats));
        Assert.Equal(EntryUpdateKind.Hitless, harness.Run());
        Assert.Equal(1, harness.Syncs);
    }

    [Fact]
    public void Hitless_steps_in_DMA_memory()
    {
        // bypass -> abort: qword 0 is critical; SHCFG in qword 1 is cleared afterwards.
        var memory = new RecordingMemory();
        memory.Load(SteAddress, Bypass());
        var writer = new EntryWriter(new SteWriterOps(() => memory.Log.Add("sync")));
        Assert.Equal(EntryUpdateKind.Hitless, writer.Write(memory, SteAddress, EntryFixtures.Abort()));
        Assert.Equal(["W 800001040=1", "sync", "W 800001048=0", "sync"], memory.Log);
        Assert.Equal(EntryFixtures.Abort(), memory.Snapshot(SteAddress, 8));
    }

    [Fact]
    public void Hitless_steps_write_unused_bits_before_the_critical_qword()
    {
        // abort -> S2: qwords 1..3 are unused by the abort STE and go first, then qword 0.
        var memory = new RecordingMemory();
        memory.Load(SteAddress, EntryFixtures.Abort());
        var target = S2Domain(TestMaster.Ats);
        var writer = new EntryWriter(new SteWriterOps(() => memory.Log.Add("sync")));
        Assert.Equal(EntryUpdateKind.Hitless, writer.Write(memory, SteAddress, target));
        Assert.Equal(
            [$"W 800001048={target[1]:x}", $"W 800001050={target[2]:x}", $"W 800001058={target[3]:x}", "sync", "W 800001040=d", "sync"],
            memory.Log);
    }

    [Fact]
    public void Disruptive_steps_in_DMA_memory()
    {
        var from = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var to = CdTable(S1Dss.Bypass, 0x4B4B4b4B4B, TestMaster.Ats);
        var memory = new RecordingMemory();
        memory.Load(SteAddress, from);
        var writer = new EntryWriter(new SteWriterOps(() => memory.Log.Add("sync")));
        Assert.Equal(EntryUpdateKind.Disruptive, writer.Write(memory, SteAddress, to));
        Assert.Equal(["W 800001040=0", "sync", $"W 800001048={to[1]:x}", "sync", $"W 800001040={to[0]:x}", "sync"], memory.Log);
        Assert.Equal(to, memory.Snapshot(SteAddress, 8));
    }

    [Fact]
    public void Critical_qword_mask()
    {
        var ops = new SteWriterOps(() => { });
        var unusedUpdate = new ulong[8];
        Assert.Equal(0b01, EntryWriter.ComputeCriticalQwords(ops, Bypass(), EntryFixtures.Abort(), unusedUpdate));
        Assert.Equal(Bypass(), unusedUpdate);
        Assert.Equal(0b11, EntryWriter.ComputeCriticalQwords(
            ops, CdTable(S1Dss.Ssid0, TestMaster.Ats), CdTable(S1Dss.Bypass, 0x4B4B4b4B4B, TestMaster.Ats), unusedUpdate));
    }

    [Fact]
    public void Target_setting_unused_bits_is_rejected()
    {
        var target = EntryFixtures.Abort();
        target[1] = Ste.SHCFG.Make(Shareability.UseIncoming);
        var harness = EntryWriteHarness.ForSte(Bypass(), target);
        Assert.Throws<ArgumentException>(() => harness.Run());
        Assert.Equal(0, harness.Syncs);
    }

    [Fact]
    public void Short_entries_are_rejected()
    {
        var writer = new EntryWriter(new SteWriterOps(() => { }));
        Assert.Throws<ArgumentException>(() => writer.Write(new ulong[7], EntryFixtures.Abort()));
        Assert.Throws<ArgumentException>(() => writer.Write(new ulong[8], new ulong[7]));
    }

    [Fact]
    public void Write_does_not_allocate()
    {
        var entry = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var a = S2Domain(TestMaster.Ats);
        var b = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var syncs = 0;
        var writer = new EntryWriter(new SteWriterOps(() => syncs++));
        writer.Write(entry, a);
        writer.Write(entry, b);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            writer.Write(entry, a);
            writer.Write(entry, b);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(606, syncs);
    }

    [Fact]
    public void Harness_catches_an_update_stored_all_at_once()
    {
        // Storing S1 -> S2 without the writer's ordering exposes a mix of the two on used bits.
        var from = CdTable(S1Dss.Ssid0, TestMaster.Ats);
        var to = S2Domain(TestMaster.Ats);
        var harness = EntryWriteHarness.ForSte(from, to);
        to.AsSpan(1).CopyTo(harness.Entry.AsSpan(1));
        harness.Sync();
        Assert.NotEmpty(harness.Violations);
    }
}
