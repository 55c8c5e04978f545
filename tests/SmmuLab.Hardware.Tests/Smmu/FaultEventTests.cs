using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>Event records for every fault and configuration error, with their fields (IHI0070 7.3), and the A/R bits (5.5).</summary>
public sealed class FaultEventTests
{
    private const ulong Va = 0x0000_0012_3456_7000;
    private const ulong Ipa = 0x0000_0000_8000_0000;

    private static void AssertTranslationRecord(EventRecord e, EventId id, uint sid, ulong input, bool read, bool s2, FaultClass cls, uint? ssid = null)
    {
        Assert.Equal(id, e.Id);
        Assert.Equal(sid, e.Sid);
        Assert.Equal(ssid is not null, e.SsidValid);
        Assert.Equal(ssid ?? 0, e.Ssid);
        Assert.Equal(input, e.Address);
        Assert.Equal(read, e.IsRead);
        Assert.Equal(s2, e.IsStage2);
        Assert.Equal(cls, e.Class);
        Assert.Equal(0UL, EventRecord.Stall.Get(e.Dw1));
    }

    [Fact]
    public void Stage_1_F_TRANSLATION_on_a_read()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        var r = bed.Read(1, Va + 0x10);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Equal(EventId.F_TRANSLATION, r.Fault);
        AssertTranslationRecord(bed.SingleEvent(), EventId.F_TRANSLATION, 1, Va + 0x10, read: true, s2: false, FaultClass.IN);
    }

    [Fact]
    public void Stage_1_F_TRANSLATION_on_a_privileged_instruction_fetch_and_on_a_write()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.Device.Translate(1, null, Va, AccessKind.Read | AccessKind.Instruction | AccessKind.Privileged);
        bed.Write(1, Va);
        var events = bed.DrainEvents();
        Assert.Equal(2, events.Count);
        Assert.Equal(1UL, EventRecord.InD.Get(events[0].Dw1));
        Assert.Equal(1UL, EventRecord.PnU.Get(events[0].Dw1));
        AssertTranslationRecord(events[1], EventId.F_TRANSLATION, 1, Va, read: false, s2: false, FaultClass.IN);
        Assert.Equal(0UL, EventRecord.InD.Get(events[1].Dw1));
    }

    [Fact]
    public void Stage_1_fault_with_a_SubstreamID_records_SSV_and_SSID()
    {
        using var bed = new SmmuTestBed();
        for (uint ssid = 0; ssid < 4; ssid++)
        {
            bed.WriteCd(SmmuTestBed.CdAddress(1, ssid), StructureImages.MakeCd(bed.S1.Root, (ushort)(ssid + 1)));
        }

        bed.WriteSte(1, StructureImages.Stage1(SmmuTestBed.CdAddress(1), cdMax: 2));
        bed.Run(Command.CfgiSte(1, true));
        bed.Read(1, Va, ssid: 3);
        AssertTranslationRecord(bed.SingleEvent(), EventId.F_TRANSLATION, 1, Va, read: true, s2: false, FaultClass.IN, ssid: 3);
    }

    [Fact]
    public void Stage_2_F_TRANSLATION_reports_S2_and_the_IPA()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage2(3);
        bed.Write(3, Ipa + 0x123);
        var e = bed.SingleEvent();
        AssertTranslationRecord(e, EventId.F_TRANSLATION, 3, Ipa + 0x123, read: false, s2: true, FaultClass.IN);
        Assert.Equal(Ipa, e.Ipa);
    }

    [Fact]
    public void Nested_stage_2_fault_on_the_final_IPA_has_CLASS_IN()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureNested(5);
        bed.MapS1(Va, Ipa);
        bed.Read(5, Va + 8);
        var e = bed.SingleEvent();
        AssertTranslationRecord(e, EventId.F_TRANSLATION, 5, Va + 8, read: true, s2: true, FaultClass.IN);
        Assert.Equal(Ipa, e.Ipa);
    }

    [Fact]
    public void Nested_stage_2_fault_on_a_stage_1_table_walk_has_CLASS_TT_and_the_table_IPA()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureNested(5, mapStage1Tables: false);
        bed.MapS1(Va, Ipa);
        bed.Read(5, Va);
        var e = bed.SingleEvent();
        AssertTranslationRecord(e, EventId.F_TRANSLATION, 5, Va, read: true, s2: true, FaultClass.TT);
        Assert.Equal(bed.S1.Root & ~0xFFFUL, e.Ipa);
    }

    [Fact]
    public void Nested_stage_2_fault_on_the_CD_fetch_has_CLASS_CD_and_the_CD_IPA()
    {
        using var bed = new SmmuTestBed();
        bed.WriteCd(SmmuTestBed.CdAddress(5), StructureImages.MakeCd(bed.S1.Root));
        bed.WriteSte(5, StructureImages.Nested(SmmuTestBed.CdAddress(5), bed.S2.Root));
        bed.Run(Command.CfgiSte(5, true));
        var r = bed.Read(5, Va);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        var e = bed.SingleEvent();
        AssertTranslationRecord(e, EventId.F_TRANSLATION, 5, Va, read: true, s2: true, FaultClass.CD);
        Assert.Equal(SmmuTestBed.CdAddress(5) & ~0xFFFUL, e.Ipa);
    }

    [Fact]
    public void F_PERMISSION_for_a_write_to_a_read_only_page()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.MapS1(Va, SmmuTestBed.Data, writable: false);
        Assert.Equal(SmmuTestBed.Data, bed.Read(1, Va).PhysicalAddress);
        var w = bed.Write(1, Va);
        Assert.Equal(EventId.F_PERMISSION, w.Fault);
        AssertTranslationRecord(bed.SingleEvent(), EventId.F_PERMISSION, 1, Va, read: false, s2: false, FaultClass.IN);
    }

    [Fact]
    public void Stage_2_F_PERMISSION_for_a_write_to_a_read_only_IPA()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage2(3);
        bed.MapS2(Ipa, SmmuTestBed.Data, writable: false);
        Assert.True(bed.Read(3, Ipa).Succeeded);
        bed.Write(3, Ipa);
        var e = bed.SingleEvent();
        AssertTranslationRecord(e, EventId.F_PERMISSION, 3, Ipa, read: false, s2: true, FaultClass.IN);
        Assert.Equal(Ipa, e.Ipa);
    }

    [Fact]
    public void F_ACCESS_for_a_page_with_AF_clear()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        bed.MapS1(Va, SmmuTestBed.Data, accessFlag: false);
        Assert.Equal(EventId.F_ACCESS, bed.Read(1, Va).Fault);
        AssertTranslationRecord(bed.SingleEvent(), EventId.F_ACCESS, 1, Va, read: true, s2: false, FaultClass.IN);
    }

    [Fact]
    public void An_address_outside_every_table_range_is_F_TRANSLATION_with_CLASS_IN()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1); // 39-bit TTB0, EPD1 = 1
        const ulong High = 0xFFFF_FF80_0000_1000;
        Assert.Equal(EventId.F_TRANSLATION, bed.Read(1, High).Fault);
        AssertTranslationRecord(bed.SingleEvent(), EventId.F_TRANSLATION, 1, High, read: true, s2: false, FaultClass.IN);
    }

    [Fact]
    public void With_TBI0_the_top_byte_is_ignored_for_translation_and_kept_in_InputAddr()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, cd: c => Cd.TBI0.Set(c, 1));
        bed.MapS1(0x1000, SmmuTestBed.Data);
        Assert.Equal(SmmuTestBed.Data + 8, bed.Read(1, 0x5A00_0000_0000_1008).PhysicalAddress);
        bed.Read(1, 0x5A00_0000_0000_2000);
        Assert.Equal(0x5A00_0000_0000_2000UL, bed.SingleEvent().Address);
    }

    [Fact]
    public void An_output_address_beyond_the_CD_IPS_is_F_ADDR_SIZE()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, cd: c => Cd.IPS.Set(c, 0)); // 32-bit output
        bed.MapS1(Va, 0x1_4000_0000);
        Assert.Equal(EventId.F_ADDR_SIZE, bed.Read(1, Va).Fault);
        AssertTranslationRecord(bed.SingleEvent(), EventId.F_ADDR_SIZE, 1, Va, read: true, s2: false, FaultClass.IN);
    }

    [Fact]
    public void F_WALK_EABT_reports_the_descriptor_address()
    {
        using var bed = new SmmuTestBed();
        var ttb = SmmuTestBed.Unbacked;
        bed.ConfigureStage1(1, cd: c => Cd.TTB0.SetPresented(c, ttb));
        bed.Read(1, Va);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_WALK_EABT, e.Id);
        Assert.Equal(FaultClass.TT, e.Class);
        Assert.False(e.IsStage2);
        Assert.Equal(Va, e.Address);
        Assert.Equal(ttb + (((Va >> 30) & 0x1FF) * 8), e.Fetch);
    }

    [Fact]
    public void F_WALK_EABT_is_recorded_even_with_CD_R_clear()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, cd: c =>
        {
            Cd.TTB0.SetPresented(c, SmmuTestBed.Unbacked);
            Cd.R.Set(c, 0);
        });
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(1, Va).Outcome);
        Assert.Equal(EventId.F_WALK_EABT, bed.SingleEvent().Id);
    }

    [Fact]
    public void C_BAD_STREAMID_is_recorded_with_RECINVSID()
    {
        using var bed = new SmmuTestBed();
        var r = bed.Read(0x1234, Va);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.C_BAD_STREAMID, e.Id);
        Assert.Equal(0x1234u, e.Sid);
    }

    [Fact]
    public void C_BAD_STREAMID_is_not_recorded_without_RECINVSID()
    {
        using var bed = new SmmuTestBed(cr2: 0);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(0x1234, Va).Outcome);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void C_BAD_STE_for_an_invalid_STE()
    {
        using var bed = new SmmuTestBed();
        bed.WriteSte(7, StructureImages.MakeSte(SteConfig.Bypass, valid: false));
        Assert.Equal(EventId.C_BAD_STE, bed.Read(7, Va, ssid: 2).Fault);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.C_BAD_STE, e.Id);
        Assert.Equal(7u, e.Sid);
    }

    [Fact]
    public void F_STE_FETCH_reports_the_STE_address()
    {
        using var bed = new SmmuTestBed();
        bed.ClearCr0(Cr0.SMMUEN);
        bed.Mmio.Write64(SmmuRegister.STRTAB_BASE, StrtabBase.ADDR.InsertAddress(0, SmmuTestBed.Unbacked));
        bed.SetCr0(Cr0.SMMUEN);
        bed.Read(3, Va);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_STE_FETCH, e.Id);
        Assert.Equal(3u, e.Sid);
        Assert.Equal(SmmuTestBed.Unbacked + (3 * 64), e.Fetch);
    }

    [Fact]
    public void C_BAD_CD_for_an_invalid_CD()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, cd: c => Cd.V.Set(c, 0));
        Assert.Equal(EventId.C_BAD_CD, bed.Read(1, Va).Fault);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.C_BAD_CD, e.Id);
        Assert.Equal(1u, e.Sid);
    }

    [Fact]
    public void F_CD_FETCH_reports_the_CD_address()
    {
        using var bed = new SmmuTestBed();
        var ste = StructureImages.Stage1(SmmuTestBed.Unbacked);
        bed.WriteSte(1, ste);
        bed.Run(Command.CfgiSte(1, true));
        bed.Read(1, Va);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_CD_FETCH, e.Id);
        Assert.Equal(SmmuTestBed.Unbacked, e.Fetch);
    }

    [Fact]
    public void CD_R_clear_suppresses_stage_1_fault_records_but_still_aborts()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, cd: c => Cd.R.Set(c, 0));
        bed.MapS1(Va + 0x1000, SmmuTestBed.Data, writable: false);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(1, Va).Outcome);
        Assert.Equal(TransactionOutcome.Aborted, bed.Write(1, Va + 0x1000).Outcome);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void STE_S2R_clear_suppresses_stage_2_fault_records()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage2(3, ste: s => Ste.S2R.Set(s, 0));
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(3, Ipa).Outcome);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void CD_A_clear_makes_stage_1_translation_faults_RAZ_WI_and_still_records_them()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, cd: c => Cd.A.Set(c, 0));
        var r = bed.Read(1, Va);
        Assert.Equal(TransactionOutcome.RazWi, r.Outcome);
        Assert.Equal(EventId.F_TRANSLATION, r.Fault);
        Assert.Equal(EventId.F_TRANSLATION, bed.SingleEvent().Id);
    }

    [Fact]
    public void CD_A_clear_does_not_affect_stage_2_faults_or_configuration_errors()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureNested(5);
        var cd = StructureImages.MakeCd(bed.S1.Root);
        Cd.A.Set(cd, 0);
        bed.WriteCd(SmmuTestBed.CdAddress(5), cd);
        bed.Run(Command.CfgiCd(5, 0, true));
        bed.MapS1(Va, Ipa);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(5, Va).Outcome);
        Assert.True(bed.SingleEvent().IsStage2);
    }

    [Fact]
    public void An_abort_STE_terminates_silently()
    {
        using var bed = new SmmuTestBed();
        bed.WriteSte(9, StructureImages.Abort());
        var r = bed.Read(9, Va);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void SMMUEN_clear_bypasses_with_GBPA_and_GBPA_ABORT_aborts_without_events()
    {
        using var bed = new SmmuTestBed(bringUp: false);
        var r = bed.Read(0x4444, Va);
        Assert.Equal(TransactionOutcome.Bypassed, r.Outcome);
        Assert.Equal(Va, r.PhysicalAddress);

        bed.Mmio.Write32(SmmuRegister.GBPA, (uint)(Gbpa.ABORT.Make(1) | Gbpa.Update.Make(1)));
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(0x4444, Va).Outcome);

        bed.BringUp();
        bed.WriteSte(1, StructureImages.Bypass());
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(1, Va).Outcome); // GBPA does not apply once SMMUEN = 1
        bed.ClearCr0(Cr0.SMMUEN);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(1, Va).Outcome);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void A_bypass_STE_passes_the_address_through()
    {
        using var bed = new SmmuTestBed();
        bed.WriteSte(2, StructureImages.Bypass());
        var r = bed.Write(2, 0x1234_5678);
        Assert.Equal(TransactionOutcome.Bypassed, r.Outcome);
        Assert.Equal(0x1234_5678UL, r.PhysicalAddress);
    }
}
