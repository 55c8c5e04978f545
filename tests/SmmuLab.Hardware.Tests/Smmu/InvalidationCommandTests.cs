using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>
/// Every invalidation command observed through the device: a page-table or STE/CD change stays
/// invisible while the old translation or configuration is cached, and becomes visible exactly
/// for the streams the command covers.
/// </summary>
public sealed class InvalidationCommandTests
{
    private const ulong Va = 0x1000;
    private const ulong OldPa = SmmuTestBed.Data;
    private const ulong NewPa = SmmuTestBed.Data + 0x10_0000;

    /// <summary>SID 1 (ASID 1) and SID 2 (ASID 2) share stage-1 tables; both translate <see cref="Va"/> and cache it; then the PTE changes.</summary>
    private static SmmuTestBed TwoAsids(ConsumptionMode mode = ConsumptionMode.Inline, SmmuFeatures? features = null)
    {
        var bed = new SmmuTestBed(features, mode);
        bed.ConfigureStage1(1, asid: 1);
        bed.ConfigureStage1(2, asid: 2);
        for (ulong p = 0; p < 4; p++)
        {
            bed.MapS1(Va + (p * 0x1000), OldPa + (p * 0x1000));
        }

        for (ulong p = 0; p < 4; p++)
        {
            Assert.Equal(OldPa + (p * 0x1000), bed.Read(1, Va + (p * 0x1000)).PhysicalAddress);
            Assert.Equal(OldPa + (p * 0x1000), bed.Read(2, Va + (p * 0x1000)).PhysicalAddress);
            bed.MapS1(Va + (p * 0x1000), NewPa + (p * 0x1000));
        }

        // Cached: the change is not seen yet.
        Assert.Equal(OldPa, bed.Read(1, Va).PhysicalAddress);
        Assert.Equal(OldPa, bed.Read(2, Va).PhysicalAddress);
        return bed;
    }

    private static bool Fresh(SmmuTestBed bed, uint sid, ulong va = Va) => bed.Read(sid, va).PhysicalAddress == NewPa + (va - Va);

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void TLBI_NH_ASID_removes_only_that_ASID(ConsumptionMode mode)
    {
        using var bed = TwoAsids(mode);
        bed.Run(Command.TlbiNhAsid(0, 1));
        Assert.True(Fresh(bed, 1));
        Assert.False(Fresh(bed, 2));
    }

    [Fact]
    public void TLBI_NH_VA_removes_that_ASID_and_address_only()
    {
        using var bed = TwoAsids();
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, Va + 0x1000, leaf: true));
        Assert.True(Fresh(bed, 1, Va + 0x1000));
        Assert.False(Fresh(bed, 1, Va));
        Assert.False(Fresh(bed, 2, Va + 0x1000));
    }

    [Fact]
    public void Range_TLBI_NH_VA_removes_NUM_plus_one_pages()
    {
        using var bed = TwoAsids();
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, Va, leaf: true, tg: Granule.Size4K.ToTlbiTg(), ttl: 3, scale: 0, num: 2));
        Assert.True(Fresh(bed, 1, Va));
        Assert.True(Fresh(bed, 1, Va + 0x1000));
        Assert.True(Fresh(bed, 1, Va + 0x2000));
        Assert.False(Fresh(bed, 1, Va + 0x3000));
        Assert.False(Fresh(bed, 2, Va));
    }

    [Fact]
    public void TLBI_NH_VAA_removes_the_address_for_every_ASID()
    {
        using var bed = TwoAsids();
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VAA, 0, 0, Va, leaf: true));
        Assert.True(Fresh(bed, 1));
        Assert.True(Fresh(bed, 2));
        Assert.False(Fresh(bed, 1, Va + 0x1000));
    }

    [Fact]
    public void TLBI_NH_ALL_removes_every_ASID_of_its_VMID_only()
    {
        using var bed = TwoAsids();
        bed.Run(Command.TlbiNhAll(7));
        Assert.False(Fresh(bed, 1));
        bed.Run(Command.TlbiNhAll(0));
        Assert.True(Fresh(bed, 1));
        Assert.True(Fresh(bed, 2, Va + 0x3000));
    }

    [Fact]
    public void TLBI_NSNH_ALL_removes_everything()
    {
        using var bed = TwoAsids();
        bed.Run(Command.TlbiNsnhAll());
        Assert.True(Fresh(bed, 1));
        Assert.True(Fresh(bed, 2));
    }

    [Fact]
    public void A_TLBI_for_another_VMID_or_stage_leaves_stage_1_entries()
    {
        using var bed = TwoAsids();
        bed.Run(Command.TlbiS12Vmall(5), Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 0, 0, Va, leaf: true),
            Command.TlbiNhAsid(0, 3));
        Assert.False(Fresh(bed, 1));
        Assert.False(Fresh(bed, 2));
    }

    /// <summary>SID 3 (VMID 3) and SID 4 (VMID 4) share stage-2 tables; both cache IPA <see cref="Va"/>, then the PTE changes.</summary>
    private static SmmuTestBed TwoVmids(ConsumptionMode mode = ConsumptionMode.Inline)
    {
        var bed = new SmmuTestBed(mode: mode);
        bed.ConfigureStage2(3, vmid: 3);
        bed.ConfigureStage2(4, vmid: 4);
        bed.MapS2(Va, OldPa);
        Assert.Equal(OldPa, bed.Read(3, Va).PhysicalAddress);
        Assert.Equal(OldPa, bed.Read(4, Va).PhysicalAddress);
        bed.MapS2(Va, NewPa);
        Assert.Equal(OldPa, bed.Read(3, Va).PhysicalAddress);
        return bed;
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void TLBI_S2_IPA_removes_that_VMID_and_IPA_only(ConsumptionMode mode)
    {
        using var bed = TwoVmids(mode);
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 4, 0, Va + 0x1000, leaf: true));
        Assert.False(Fresh(bed, 4));
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 4, 0, Va, leaf: true));
        Assert.True(Fresh(bed, 4));
        Assert.False(Fresh(bed, 3));
    }

    [Fact]
    public void TLBI_S12_VMALL_removes_that_VMID_only()
    {
        using var bed = TwoVmids();
        bed.Run(Command.TlbiS12Vmall(3));
        Assert.True(Fresh(bed, 3));
        Assert.False(Fresh(bed, 4));
    }

    [Fact]
    public void Stage_1_TLBIs_leave_stage_2_only_entries()
    {
        using var bed = TwoVmids();
        bed.Run(Command.TlbiNhAll(3), Command.TlbiNhAsid(3, 0), Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VAA, 3, 0, Va, leaf: true));
        Assert.False(Fresh(bed, 3));
        bed.Run(Command.TlbiNsnhAll());
        Assert.True(Fresh(bed, 3));
        Assert.True(Fresh(bed, 4));
    }

    [Fact]
    public void TLBI_S12_VMALL_also_removes_nested_stage_1_entries_of_that_VMID()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureNested(5, asid: 1, vmid: 9);
        bed.MapS1(Va, 0x8000_0000);
        bed.MapS2(0x8000_0000, OldPa);
        Assert.Equal(OldPa, bed.Read(5, Va).PhysicalAddress);
        bed.MapS2(0x8000_0000, NewPa);
        Assert.Equal(OldPa, bed.Read(5, Va).PhysicalAddress);
        bed.Run(Command.TlbiS12Vmall(8));
        Assert.Equal(OldPa, bed.Read(5, Va).PhysicalAddress);
        bed.Run(Command.TlbiS12Vmall(9));
        Assert.Equal(NewPa, bed.Read(5, Va).PhysicalAddress);
    }

    /// <summary>SID 1 is an NS-EL1 stream (ASID 1), SID 6 an EL2 stream (STRW = EL2, ASID 1); both cached, then the PTE changes.</summary>
    private static SmmuTestBed El2AndNh(bool e2h)
    {
        var bed = new SmmuTestBed(new SmmuFeatures { Hyp = true }, cr2: SmmuTestBed.RecInvSid | (e2h ? (uint)Cr2.E2H.Make(1) : 0));
        bed.ConfigureStage1(1, asid: 1);
        bed.ConfigureStage1(6, asid: 1, ste: s => Ste.STRW.Set(s, 2));
        bed.MapS1(Va, OldPa);
        Assert.Equal(OldPa, bed.Read(1, Va).PhysicalAddress);
        Assert.Equal(OldPa, bed.Read(6, Va).PhysicalAddress);
        bed.MapS1(Va, NewPa);
        return bed;
    }

    [Fact]
    public void TLBI_EL2_ALL_removes_EL2_entries_and_not_NS_EL1_ones()
    {
        using var bed = El2AndNh(e2h: false);
        bed.Run(Command.TlbiEl2All());
        Assert.True(Fresh(bed, 6));
        Assert.False(Fresh(bed, 1));
    }

    [Fact]
    public void TLBI_NH_ALL_leaves_EL2_entries()
    {
        using var bed = El2AndNh(e2h: false);
        bed.Run(Command.TlbiNhAll(0));
        Assert.True(Fresh(bed, 1));
        Assert.False(Fresh(bed, 6));
    }

    [Fact]
    public void TLBI_EL2_VAA_removes_the_EL2_address()
    {
        using var bed = El2AndNh(e2h: false);
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VAA, 0, 0, Va, leaf: true));
        Assert.True(Fresh(bed, 6));
        Assert.False(Fresh(bed, 1));
    }

    [Fact]
    public void TLBI_EL2_ASID_and_EL2_VA_match_the_ASID_under_E2H()
    {
        using var bed = El2AndNh(e2h: true);
        bed.Run(Command.TlbiEl2Asid(2), Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VA, 0, 2, Va, leaf: true));
        Assert.False(Fresh(bed, 6));
        bed.Run(Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VA, 0, 1, Va, leaf: true));
        Assert.True(Fresh(bed, 6));
        Assert.False(Fresh(bed, 1));

        bed.MapS1(Va, OldPa);
        bed.Run(Command.TlbiEl2Asid(1));
        Assert.Equal(OldPa, bed.Read(6, Va).PhysicalAddress);
    }

    [Fact]
    public void A_changed_STE_is_invisible_until_CFGI_STE_for_that_StreamID()
    {
        using var bed = new SmmuTestBed();
        bed.WriteSte(1, StructureImages.Bypass());
        bed.WriteSte(2, StructureImages.Bypass());
        bed.Run(Command.CfgiSte(1, leaf: true), Command.CfgiSte(2, leaf: true));
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(1, Va).Outcome);
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(2, Va).Outcome);

        bed.WriteSte(1, StructureImages.Abort());
        bed.WriteSte(2, StructureImages.Abort());
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(1, Va).Outcome);
        bed.Run(Command.CfgiSte(2, leaf: false));
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(1, Va).Outcome);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(2, Va).Outcome);
        bed.Run(Command.CfgiSte(1, leaf: true));
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(1, Va).Outcome);
        Assert.Empty(bed.DrainEvents()); // Config = abort records nothing
    }

    [Fact]
    public void CFGI_STE_RANGE_covers_an_aligned_power_of_two_block()
    {
        using var bed = new SmmuTestBed();
        for (uint sid = 7; sid <= 12; sid++)
        {
            bed.WriteSte(sid, StructureImages.Bypass());
            Assert.Equal(TransactionOutcome.Bypassed, bed.Read(sid, Va).Outcome);
            bed.WriteSte(sid, StructureImages.Abort());
        }

        bed.Run(Command.CfgiSteRange(9, 1)); // 2^(1+1) = 4 StreamIDs: 8..11
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(7, Va).Outcome);
        for (uint sid = 8; sid <= 11; sid++)
        {
            Assert.Equal(TransactionOutcome.Aborted, bed.Read(sid, Va).Outcome);
        }

        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(12, Va).Outcome);
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void CFGI_ALL_invalidates_every_STE_and_CD(ConsumptionMode mode)
    {
        using var bed = new SmmuTestBed(mode: mode);
        bed.ConfigureStage1(1);
        bed.MapS1(Va, OldPa);
        bed.WriteSte(200, StructureImages.Bypass());
        Assert.True(bed.Read(1, Va).Succeeded);
        Assert.True(bed.Read(200, Va).Succeeded);
        bed.WriteSte(200, StructureImages.Abort());
        var cd = StructureImages.MakeCd(bed.S1.Root);
        Cd.V.Set(cd, 0);
        bed.WriteCd(SmmuTestBed.CdAddress(1), cd);
        Assert.True(bed.Read(1, Va).Succeeded);

        bed.Run(Command.CfgiAll());
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(200, Va).Outcome);
        Assert.Equal(EventId.C_BAD_CD, bed.Read(1, Va).Fault);
    }

    [Fact]
    public void A_changed_CD_is_invisible_until_CFGI_CD()
    {
        using var bed = SubstreamBed(out var invalid);
        bed.WriteCd(SmmuTestBed.CdAddress(1, 1), invalid);
        bed.WriteCd(SmmuTestBed.CdAddress(1, 2), invalid);
        Assert.True(bed.Read(1, Va, ssid: 1).Succeeded);
        bed.Run(Command.CfgiCd(1, 2, leaf: true), Command.CfgiCd(2, 1, leaf: true));
        Assert.True(bed.Read(1, Va, ssid: 1).Succeeded);
        Assert.Equal(EventId.C_BAD_CD, bed.Read(1, Va, ssid: 2).Fault);
        bed.Run(Command.CfgiCd(1, 1, leaf: true));
        Assert.Equal(EventId.C_BAD_CD, bed.Read(1, Va, ssid: 1).Fault);
    }

    [Fact]
    public void CFGI_CD_ALL_invalidates_every_CD_of_the_stream()
    {
        using var bed = SubstreamBed(out var invalid);
        bed.WriteCd(SmmuTestBed.CdAddress(1, 1), invalid);
        bed.WriteCd(SmmuTestBed.CdAddress(1, 2), invalid);
        bed.Run(Command.CfgiCdAll(2));
        Assert.True(bed.Read(1, Va, ssid: 1).Succeeded);
        bed.Run(Command.CfgiCdAll(1));
        Assert.Equal(EventId.C_BAD_CD, bed.Read(1, Va, ssid: 1).Fault);
        Assert.Equal(EventId.C_BAD_CD, bed.Read(1, Va, ssid: 2).Fault);
    }

    /// <summary>SID 1 with a 4-entry linear CD table; SSIDs 1 and 2 translate <see cref="Va"/> and are cached.</summary>
    private static SmmuTestBed SubstreamBed(out ulong[] invalidCd)
    {
        var bed = new SmmuTestBed();
        for (uint ssid = 0; ssid < 4; ssid++)
        {
            bed.WriteCd(SmmuTestBed.CdAddress(1, ssid), StructureImages.MakeCd(bed.S1.Root, (ushort)(10 + ssid)));
        }

        bed.WriteSte(1, StructureImages.Stage1(SmmuTestBed.CdAddress(1), cdMax: 2));
        bed.Run(Command.CfgiSte(1, leaf: true));
        bed.MapS1(Va, OldPa);
        Assert.True(bed.Read(1, Va, ssid: 1).Succeeded);
        Assert.True(bed.Read(1, Va, ssid: 2).Succeeded);
        invalidCd = StructureImages.MakeCd(bed.S1.Root);
        Cd.V.Set(invalidCd, 0);
        return bed;
    }

    [Fact]
    public void PREFETCH_CONFIG_loads_the_STE_into_the_cache()
    {
        using var bed = new SmmuTestBed();
        bed.WriteSte(3, StructureImages.Bypass());
        bed.Run(Command.CfgiSte(3, leaf: true), Command.PrefetchConfig(3));
        bed.WriteSte(3, StructureImages.Abort());
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(3, Va).Outcome); // the prefetched copy is used
        bed.Run(Command.CfgiSte(3, leaf: true));
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(3, Va).Outcome);
    }

    [Fact]
    public void PREFETCH_ADDR_is_accepted_and_changes_nothing_visible()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.MapS1(Va, OldPa);
        var prefetch = new Command((ulong)Opcode.CMD_PREFETCH_ADDR | CommandLayouts.Sid.Make(1), CommandLayouts.Addr.InsertAddress(0, Va));
        bed.Run(prefetch);
        Assert.Equal(OldPa, bed.Read(1, Va).PhysicalAddress);
        Assert.Equal(1, bed.Device.Statistics.Commands(Opcode.CMD_PREFETCH_ADDR));
    }

    [Fact]
    public void A_bad_STE_is_reported_and_replacing_it_recovers_the_stream()
    {
        using var bed = new SmmuTestBed();
        var bad = StructureImages.Stage2(bed.S2.Root);
        Ste.S2AA64.Set(bad, 0); // VMSAv8-32 tables, which this SMMU does not implement
        bed.WriteSte(1, bad);
        bed.Run(Command.CfgiSte(1, leaf: true));
        Assert.Equal(EventId.C_BAD_STE, bed.Read(1, Va).Fault);
        Assert.Equal(EventId.C_BAD_STE, bed.SingleEvent().Id);

        bed.ConfigureStage1(1);
        bed.MapS1(Va, OldPa);
        Assert.Equal(OldPa, bed.Read(1, Va).PhysicalAddress);
    }
}
