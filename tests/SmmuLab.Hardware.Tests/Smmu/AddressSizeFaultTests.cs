using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>
/// Input addresses too large for a bypassed stage (IHI0070 3.4, 7.3.14): the SMMU never truncates
/// an input address that bypasses stage 1; it aborts, and with SMMUEN = 1 records a stage-1
/// F_ADDR_SIZE (S2 = 0, CLASS = IN). The model's OAS is 48 bits, and IAS = OAS (no VMSAv8-32).
/// </summary>
public sealed class AddressSizeFaultTests
{
    private const ulong AboveOas = (1UL << 48) + 0x1040;
    private const ulong BelowOas = (1UL << 48) - 0x1000;
    private const ulong AboveS2Range = 1UL << 40; // within the IAS, beyond the 39-bit S2T0SZ range

    private static void AssertBypassAddressSize(EventRecord e, uint sid, ulong input, bool read)
    {
        Assert.Equal(EventId.F_ADDR_SIZE, e.Id);
        Assert.Equal(sid, e.Sid);
        Assert.False(e.SsidValid);
        Assert.Equal(input, e.Address);
        Assert.Equal(read, e.IsRead);
        Assert.False(e.IsStage2);
        Assert.Equal(FaultClass.IN, e.Class);
    }

    [Fact]
    public void SMMUEN_clear_aborts_an_address_beyond_the_OAS_without_an_event_3_4()
    {
        // 3.4: with SMMUEN = 0 and GBPA.ABORT = 0, "if the input address of a transaction exceeds the
        // size of the OAS, the transaction is terminated with an abort and no event is recorded".
        using var bed = new SmmuTestBed(bringUp: false);
        var r = bed.Write(0x44, AboveOas);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Null(r.Fault);
        Assert.Equal(BelowOas, bed.Read(0x44, BelowOas).PhysicalAddress);

        bed.BringUp();
        bed.ClearCr0(Cr0.SMMUEN);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(0x44, AboveOas).Outcome);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void A_bypass_STE_aborts_an_address_beyond_the_OAS_with_a_stage_1_F_ADDR_SIZE_3_4()
    {
        // 3.4: STE.Config = 0b100 and an input address exceeding the OAS: abort, and a stage 1
        // Address Size fault (F_ADDR_SIZE) is recorded. There is no CD, so no R bit can suppress it.
        using var bed = new SmmuTestBed();
        bed.WriteSte(2, StructureImages.Bypass());
        var r = bed.Write(2, AboveOas);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Equal(EventId.F_ADDR_SIZE, r.Fault);
        AssertBypassAddressSize(bed.SingleEvent(), 2, AboveOas, read: false);

        var ok = bed.Read(2, BelowOas);
        Assert.Equal(TransactionOutcome.Bypassed, ok.Outcome);
        Assert.Equal(BelowOas, ok.PhysicalAddress);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void Stage_2_only_input_beyond_the_IAS_is_a_stage_1_F_ADDR_SIZE_not_a_stage_2_fault_3_4()
    {
        // 3.4: stage 1 bypassed (Config = 0b110): the input address is the IPA; beyond the IAS a
        // stage 1 Address Size fault occurs and is recorded (7.3.14: CLASS = IN, S2 = 0), whatever
        // STE.S2R says (3.12: such a fault always aborts).
        using var bed = new SmmuTestBed();
        bed.ConfigureStage2(3, ste: s => Ste.S2R.Set(s, 0));
        var r = bed.Read(3, AboveOas);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Equal(EventId.F_ADDR_SIZE, r.Fault);
        AssertBypassAddressSize(bed.SingleEvent(), 3, AboveOas, read: true);
    }

    [Fact]
    public void Stage_2_only_input_within_the_IAS_but_beyond_S2T0SZ_is_a_stage_2_F_TRANSLATION_3_4()
    {
        // 3.4: "Otherwise, the address might still lie outside the range that stage 2 will accept.
        // In this case, the stage 2 check 1 ... causes a stage 2 Translation fault."
        using var bed = new SmmuTestBed();
        bed.ConfigureStage2(3);
        Assert.Equal(EventId.F_TRANSLATION, bed.Write(3, AboveS2Range).Fault);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_TRANSLATION, e.Id);
        Assert.True(e.IsStage2);
        Assert.Equal(FaultClass.IN, e.Class);
        Assert.Equal(AboveS2Range, e.Ipa);
    }

    [Fact]
    public void S1DSS_bypass_without_stage_2_aborts_an_address_beyond_the_IAS_with_a_stage_1_F_ADDR_SIZE_3_4()
    {
        // 3.4 and 5.2 S1DSS = 0b01: a transaction without a SubstreamID skips stage 1; the address
        // is checked against the IAS before it passes on (7.3.14: "bypassed when STE.S1DSS == 0b01").
        using var bed = new SmmuTestBed();
        bed.WriteSte(1, StructureImages.Stage1(SmmuTestBed.CdAddress(1), cdMax: 2, dss: S1Dss.Bypass));
        var r = bed.Write(1, AboveOas);
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Equal(EventId.F_ADDR_SIZE, r.Fault);
        AssertBypassAddressSize(bed.SingleEvent(), 1, AboveOas, read: false);

        var ok = bed.Read(1, BelowOas);
        Assert.Equal(TransactionOutcome.Bypassed, ok.Outcome);
        Assert.Equal(BelowOas, ok.PhysicalAddress);
    }

    [Fact]
    public void Nested_S1DSS_bypass_checks_the_IAS_before_stage_2_3_4()
    {
        using var bed = new SmmuTestBed();
        bed.WriteSte(5, StructureImages.Nested(SmmuTestBed.CdAddress(5), bed.S2.Root, cdMax: 2, dss: S1Dss.Bypass));
        bed.MapS2(0x8000_0000, SmmuTestBed.Data);

        Assert.Equal(EventId.F_ADDR_SIZE, bed.Read(5, AboveOas).Fault);
        AssertBypassAddressSize(bed.SingleEvent(), 5, AboveOas, read: true);

        Assert.Equal(EventId.F_TRANSLATION, bed.Read(5, AboveS2Range).Fault);
        Assert.True(bed.SingleEvent().IsStage2);

        Assert.Equal(SmmuTestBed.Data + 0x10, bed.Read(5, 0x8000_0010).PhysicalAddress);
    }

    [Fact]
    public void The_bypass_F_ADDR_SIZE_record_carries_the_post_override_PnU_and_InD_7_3_14()
    {
        // 7.3.14: "The InD/PnU attributes are the post-STE override values."
        using var bed = new SmmuTestBed();
        var ste = StructureImages.Bypass();
        Ste.PRIVCFG.Set(ste, PrivCfg.Privileged);
        Ste.INSTCFG.Set(ste, InstCfg.Instruction);
        bed.WriteSte(2, ste);
        bed.Read(2, AboveOas);
        var e = bed.SingleEvent();
        AssertBypassAddressSize(e, 2, AboveOas, read: true);
        Assert.Equal(1UL, EventRecord.PnU.Get(e.Dw1));
        Assert.Equal(1UL, EventRecord.InD.Get(e.Dw1));
    }
}
