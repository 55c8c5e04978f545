using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Pcie;

/// <summary>The SMMU side of PCIe ATS (IHI0070 3.9.1): Translation Requests and Translated transactions.</summary>
public sealed class AtsTests
{
    private const ulong Va = 0x0000_0001_0000_0000;

    [Fact]
    public void STU_is_the_smallest_supported_granule()
    {
        using var a = new SmmuTestBed(bringUp: false);
        using var b = new SmmuTestBed(new SmmuFeatures { Granule4K = false }, bringUp: false);
        using var c = new SmmuTestBed(new SmmuFeatures { Granule4K = false, Granule16K = false }, bringUp: false);
        Assert.Equal(12, a.Device.SmallestTranslationUnit);
        Assert.Equal(14, b.Device.SmallestTranslationUnit);
        Assert.Equal(16, c.Device.SmallestTranslationUnit);
    }

    [Fact]
    public void A_translation_request_is_answered_with_the_page_and_its_permissions()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: Eats.Trans);
        bed.MapS1(Va, SmmuTestBed.Data + 0x5000);
        bed.MapS1(Va + 0x1000, SmmuTestBed.Data + 0x7000, writable: false);

        var rw = bed.Device.AtsTranslate(1, null, Va + 0x123, noWrite: false);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, SmmuTestBed.Data + 0x5000, 12, true, true), rw);
        var ro = bed.Device.AtsTranslate(1, null, Va + 0x1000, noWrite: false);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, SmmuTestBed.Data + 0x7000, 12, true, false), ro);
        Assert.Empty(bed.DrainEvents());
        Assert.Equal(2, bed.Device.Statistics.AtsTranslationRequests);
    }

    [Fact]
    public void A_block_mapping_is_returned_with_its_size()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: Eats.Trans);
        bed.S1.Map(Va, SmmuTestBed.Data, 2, Architecture.PageTables.Descriptor.AccessFlag | Architecture.PageTables.Descriptor.ApUnprivileged);
        var c = bed.Device.AtsTranslate(1, null, Va + 0x12_3456, noWrite: true);
        Assert.Equal(AtsStatus.Success, c.Status);
        Assert.Equal(21, c.SizeShift);
        Assert.Equal(SmmuTestBed.Data, c.TranslatedAddress);
        Assert.True(c.Read && c.Write);
    }

    [Fact]
    public void A_nested_translation_request_returns_the_final_physical_address()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureNested(5, eats: Eats.Trans);
        bed.MapS1(Va, 0x8000_0000);
        bed.MapS2(0x8000_0000, SmmuTestBed.Data + 0x3000, writable: false);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, SmmuTestBed.Data + 0x3000, 12, true, false),
            bed.Device.AtsTranslate(5, null, Va, noWrite: false));
    }

    [Fact]
    public void An_unmapped_page_is_Success_with_no_permissions_and_no_event()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: Eats.Trans);
        var c = bed.Device.AtsTranslate(1, null, Va, noWrite: false);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, 0, 12, false, false), c);
        Assert.Empty(bed.DrainEvents());

        bed.ConfigureStage2(3, eats: Eats.Trans);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, 0, 12, false, false), bed.Device.AtsTranslate(3, null, Va, noWrite: false));
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void A_page_with_AF_clear_is_Success_with_no_permissions_and_no_event()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: Eats.Trans);
        bed.MapS1(Va, SmmuTestBed.Data, accessFlag: false);
        var c = bed.Device.AtsTranslate(1, null, Va, noWrite: false);
        Assert.False(c.Read || c.Write);
        Assert.Equal(AtsStatus.Success, c.Status);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void A_walk_abort_during_a_translation_request_is_CA_without_an_event()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: Eats.Trans, cd: c => Cd.TTB0.SetPresented(c, SmmuTestBed.Unbacked));
        var c = bed.Device.AtsTranslate(1, null, Va, noWrite: false);
        Assert.Equal(AtsStatus.CompleterAbort, c.Status);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void A_walk_abort_during_a_translation_request_is_recorded_with_REC_CFG_ATS()
    {
        using var bed = new SmmuTestBed(cr2: SmmuTestBed.RecInvSid | (uint)Cr2.REC_CFG_ATS.Make(1));
        bed.ConfigureStage1(1, eats: Eats.Trans, cd: c => Cd.TTB0.SetPresented(c, SmmuTestBed.Unbacked));
        Assert.Equal(AtsStatus.CompleterAbort, bed.Device.AtsTranslate(1, null, Va, noWrite: false).Status);
        Assert.Equal(EventId.F_WALK_EABT, bed.SingleEvent().Id);
    }

    [Fact]
    public void A_bypass_STE_answers_UR_with_F_BAD_ATS_TREQ()
    {
        using var bed = new SmmuTestBed();
        var ste = StructureImages.Bypass();
        Ste.EATS.Set(ste, Eats.Trans);
        bed.WriteSte(2, ste);
        Assert.Equal(AtsStatus.UnsupportedRequest, bed.Device.AtsTranslate(2, null, Va, noWrite: false).Status);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_BAD_ATS_TREQ, e.Id);
        Assert.Equal(2u, e.Sid);
        Assert.Equal(Va, e.Address);
    }

    [Fact]
    public void EATS_zero_answers_UR_with_F_BAD_ATS_TREQ()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: 0);
        bed.MapS1(Va, SmmuTestBed.Data);
        Assert.Equal(AtsStatus.UnsupportedRequest, bed.Device.AtsTranslate(1, null, Va, noWrite: false).Status);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_BAD_ATS_TREQ, e.Id);
        Assert.Equal(1u, e.Sid);
        Assert.False(e.SsidValid);
        Assert.Equal(Va, e.Address);
    }

    [Fact]
    public void EATS_zero_answers_UR_even_for_a_SubstreamID_the_CD_table_lacks()
    {
        // The STE's EATS is checked before any CD or SubstreamID rule: UR, not CA (3.9.1.2).
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: 0);
        Assert.Equal(AtsStatus.UnsupportedRequest, bed.Device.AtsTranslate(1, 77, Va, noWrite: false).Status);
        Assert.Equal(EventId.F_BAD_ATS_TREQ, bed.SingleEvent().Id);
    }

    [Fact]
    public void Split_stage_EATS_without_ATSCHK_behaves_as_zero()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureNested(5, eats: Eats.S1Chk);
        Assert.Equal(AtsStatus.UnsupportedRequest, bed.Device.AtsTranslate(5, null, Va, noWrite: false).Status);
        Assert.Equal(EventId.F_BAD_ATS_TREQ, bed.SingleEvent().Id);
    }

    [Fact]
    public void SMMUEN_clear_answers_UR_with_F_BAD_ATS_TREQ()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: Eats.Trans);
        bed.ClearCr0(Cr0.SMMUEN);
        Assert.Equal(AtsStatus.UnsupportedRequest, bed.Device.AtsTranslate(1, null, Va, noWrite: false).Status);
        Assert.Equal(EventId.F_BAD_ATS_TREQ, bed.SingleEvent().Id);
    }

    [Fact]
    public void An_abort_STE_answers_UR_silently_and_an_invalid_STE_answers_CA()
    {
        using var bed = new SmmuTestBed();
        bed.WriteSte(8, StructureImages.Abort());
        bed.WriteSte(9, StructureImages.MakeSte(SteConfig.Bypass, valid: false));
        Assert.Equal(AtsStatus.UnsupportedRequest, bed.Device.AtsTranslate(8, null, Va, noWrite: false).Status);
        Assert.Equal(AtsStatus.CompleterAbort, bed.Device.AtsTranslate(9, null, Va, noWrite: false).Status);
        Assert.Equal(AtsStatus.CompleterAbort, bed.Device.AtsTranslate(0x999, null, Va, noWrite: false).Status);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void Without_ATS_every_request_is_UR()
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { Ats = false });
        bed.ConfigureStage1(1, eats: Eats.Trans);
        Assert.Equal(AtsStatus.UnsupportedRequest, bed.Device.AtsTranslate(1, null, Va, noWrite: false).Status);
    }

    [Fact]
    public void S1DSS_bypass_without_a_PASID_gives_an_identity_read_write_mapping()
    {
        using var bed = new SmmuTestBed();
        var s = StructureImages.Stage1(SmmuTestBed.CdAddress(1), cdMax: 2, dss: S1Dss.Bypass);
        Ste.EATS.Set(s, Eats.Trans);
        bed.WriteCd(SmmuTestBed.CdAddress(1, 1), StructureImages.MakeCd(bed.S1.Root));
        bed.WriteSte(1, s);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, Va + 0x4000, 12, true, true), bed.Device.AtsTranslate(1, null, Va + 0x4321, noWrite: true));
    }

    [Fact]
    public void S1DSS_bypass_beyond_the_IAS_grants_nothing_and_records_nothing_3_4_3_9_1_2()
    {
        // 3.4: a stage-1-bypassed address beyond the IAS is a stage 1 F_ADDR_SIZE; for a Translation
        // Request, a translation-related fault is Success with R = W = 0 and no event (3.9.1.2).
        using var bed = new SmmuTestBed();
        var s = StructureImages.Stage1(SmmuTestBed.CdAddress(1), cdMax: 2, dss: S1Dss.Bypass);
        Ste.EATS.Set(s, Eats.Trans);
        bed.WriteSte(1, s);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, 0, 12, false, false), bed.Device.AtsTranslate(1, null, 1UL << 48, noWrite: false));
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void STE_PRIVCFG_and_INSTCFG_apply_to_translation_requests_13_7_1()
    {
        // 13.7.1: permissions are computed at the overridden privilege; with INSTCFG = Instruction,
        // R is granted only when the page is executable (TC.R = ttd_X), while W stays the page's
        // write permission (TC.W = writable_by_privlevel): a writable PXN page gives R = 0, W = 1.
        using var bed = new SmmuTestBed();
        const ulong Leaf = Architecture.PageTables.Descriptor.AccessFlag;
        bed.S1.Map(Va, SmmuTestBed.Data, 3, Leaf); // EL1 read/write only
        bed.S1.Map(Va + 0x2000, SmmuTestBed.Data + 0x2000, 3, Leaf | Architecture.PageTables.Descriptor.ApReadOnly);
        bed.S1.Map(Va + 0x1000, SmmuTestBed.Data + 0x1000, 3,
            Leaf | Architecture.PageTables.Descriptor.ApReadOnly | Architecture.PageTables.Descriptor.PXN.Make(1));
        bed.S1.Map(Va + 0x3000, SmmuTestBed.Data + 0x3000, 3, Leaf | Architecture.PageTables.Descriptor.PXN.Make(1));
        bed.ConfigureStage1(1, eats: Eats.Trans, ste: st => Ste.PRIVCFG.Set(st, PrivCfg.Privileged));
        Assert.Equal(new AtsCompletion(AtsStatus.Success, SmmuTestBed.Data, 12, true, true), bed.Device.AtsTranslate(1, null, Va, noWrite: false));

        bed.ConfigureStage1(2, asid: 2, eats: Eats.Trans, ste: st =>
        {
            Ste.PRIVCFG.Set(st, PrivCfg.Privileged);
            Ste.INSTCFG.Set(st, InstCfg.Instruction);
        });
        Assert.Equal(new AtsCompletion(AtsStatus.Success, 0, 12, false, false), bed.Device.AtsTranslate(2, null, Va + 0x1000, noWrite: false));
        Assert.Equal(new AtsCompletion(AtsStatus.Success, SmmuTestBed.Data + 0x2000, 12, true, false),
            bed.Device.AtsTranslate(2, null, Va + 0x2000, noWrite: false));
        Assert.Equal(new AtsCompletion(AtsStatus.Success, SmmuTestBed.Data + 0x3000, 12, false, true),
            bed.Device.AtsTranslate(2, null, Va + 0x3000, noWrite: false));
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void Translated_traffic_passes_unchecked_with_ATSCHK_clear()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: 0);
        var r = bed.Device.TranslatedAccess(1, SmmuTestBed.Data, AccessKind.Write);
        Assert.Equal(TransactionOutcome.Translated, r.Outcome);
        Assert.Equal(SmmuTestBed.Data, r.PhysicalAddress);
        Assert.Equal(SmmuTestBed.Data, bed.Device.TranslatedAccess(0x999, SmmuTestBed.Data, AccessKind.Read).PhysicalAddress);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void With_ATSCHK_translated_traffic_of_an_EATS_zero_stream_is_F_TRANSL_FORBIDDEN()
    {
        using var bed = new SmmuTestBed(atsCheck: true);
        bed.ConfigureStage1(1, eats: 0);
        bed.ConfigureStage1(2, eats: Eats.Trans);
        var r = bed.Device.TranslatedAccess(1, SmmuTestBed.Data, AccessKind.Write);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Equal(EventId.F_TRANSL_FORBIDDEN, r.Fault);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_TRANSL_FORBIDDEN, e.Id);
        Assert.Equal(1u, e.Sid);
        Assert.Equal(SmmuTestBed.Data, e.Address);
        Assert.False(e.IsRead);

        Assert.True(bed.Device.TranslatedAccess(2, SmmuTestBed.Data, AccessKind.Write).Succeeded);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void With_ATSCHK_translated_traffic_of_a_bypass_STE_is_forbidden_and_an_abort_STE_aborts_silently()
    {
        using var bed = new SmmuTestBed(atsCheck: true);
        bed.WriteSte(2, StructureImages.Bypass());
        bed.WriteSte(3, StructureImages.Abort());
        Assert.Equal(EventId.F_TRANSL_FORBIDDEN, bed.Device.TranslatedAccess(2, 0, AccessKind.Read).Fault);
        Assert.Equal(TransactionOutcome.Aborted, bed.Device.TranslatedAccess(3, 0, AccessKind.Read).Outcome);
        Assert.Equal(EventId.F_TRANSL_FORBIDDEN, bed.SingleEvent().Id);
    }

    [Fact]
    public void Translated_traffic_with_SMMUEN_clear_is_forbidden()
    {
        using var bed = new SmmuTestBed();
        bed.ClearCr0(Cr0.SMMUEN);
        Assert.Equal(EventId.F_TRANSL_FORBIDDEN, bed.Device.TranslatedAccess(1, 0, AccessKind.Read).Fault);
        Assert.Equal(EventId.F_TRANSL_FORBIDDEN, bed.SingleEvent().Id);
    }

    [Fact]
    public void Split_stage_ATS_returns_the_IPA_and_translated_traffic_goes_through_stage_2()
    {
        using var bed = new SmmuTestBed(atsCheck: true);
        bed.ConfigureNested(5, eats: Eats.S1Chk);
        bed.MapS1(Va, 0x8000_0000);
        bed.MapS2(0x8000_0000, SmmuTestBed.Data + 0x9000);
        var c = bed.Device.AtsTranslate(5, null, Va, noWrite: false);
        Assert.Equal(new AtsCompletion(AtsStatus.Success, 0x8000_0000, 12, true, true), c);
        var r = bed.Device.TranslatedAccess(5, 0x8000_0010, AccessKind.Write);
        Assert.Equal(SmmuTestBed.Data + 0x9010, r.PhysicalAddress);

        // A stage-2 fault on translated traffic is recorded like any other.
        Assert.Equal(EventId.F_TRANSLATION, bed.Device.TranslatedAccess(5, 0x9000_0000, AccessKind.Read).Fault);
        var e = bed.SingleEvent();
        Assert.True(e.IsStage2);
        Assert.Equal(0x9000_0000UL, e.Ipa);
    }

    [Fact]
    public void Split_stage_translated_traffic_beyond_the_IAS_is_a_stage_1_F_ADDR_SIZE_3_9_1_3()
    {
        // 3.9.1.3 priority 10: with EATS = 0b10, "F_ADDR_SIZE arising from the check of the input
        // address against IAS ... is reported as a stage 1 fault", before any stage-2 fault.
        using var bed = new SmmuTestBed(atsCheck: true);
        bed.ConfigureNested(5, eats: Eats.S1Chk);
        Assert.Equal(EventId.F_ADDR_SIZE, bed.Device.TranslatedAccess(5, 1UL << 48, AccessKind.Read).Fault);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_ADDR_SIZE, e.Id);
        Assert.False(e.IsStage2);
        Assert.Equal(FaultClass.IN, e.Class);
    }

    [Fact]
    public void ATS_requests_are_answered_from_the_TLB_after_a_first_walk()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1, eats: Eats.Trans);
        bed.MapS1(Va, SmmuTestBed.Data);
        bed.Device.AtsTranslate(1, null, Va, noWrite: false);
        bed.MapS1(Va, SmmuTestBed.Data + 0x1000);
        Assert.Equal(SmmuTestBed.Data, bed.Device.AtsTranslate(1, null, Va, noWrite: false).TranslatedAddress);
        bed.Run(Command.TlbiNhAsid(0, 1));
        Assert.Equal(SmmuTestBed.Data + 0x1000, bed.Device.AtsTranslate(1, null, Va, noWrite: false).TranslatedAddress);
    }
}
