using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.PageTables;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>
/// Stage-1 permission controls of the CD (IHI0070 5.4: WXN, PAN) and the STE's PRIV/INST overrides
/// (5.2 PRIVCFG, INSTCFG; 13.1.2), with the post-override PnU/InD in the F_PERMISSION record (7.3.16).
/// </summary>
public sealed class PermissionControlTests
{
    private const ulong El0Rw = 0x0000_0012_0000_0000; // AP = 01: EL0 and EL1 read/write (so PXN)
    private const ulong El0Ro = El0Rw + 0x1000;        // AP = 11: EL0 and EL1 read-only
    private const ulong El1Rw = El0Rw + 0x2000;        // AP = 00: EL1 read/write only
    private const ulong El0RoXn = El0Rw + 0x3000;      // AP = 11, UXN = PXN = 1
    private const ulong El0RwXn = El0Rw + 0x4000;      // AP = 01, UXN = 1
    private const AccessKind Fetch = AccessKind.Read | AccessKind.Instruction;
    private const AccessKind PrivFetch = Fetch | AccessKind.Privileged;
    private const AccessKind PrivRead = AccessKind.Read | AccessKind.Privileged;
    private const AccessKind PrivWrite = AccessKind.Write | AccessKind.Privileged;

    private static SmmuTestBed NewBed(SmmuFeatures? features = null)
    {
        var bed = new SmmuTestBed(features);
        const ulong Leaf = Descriptor.AccessFlag | Descriptor.NotGlobal;
        bed.S1.Map(El0Rw, SmmuTestBed.Data, 3, Leaf | Descriptor.ApUnprivileged);
        bed.S1.Map(El0Ro, SmmuTestBed.Data + 0x1000, 3, Leaf | Descriptor.ApUnprivileged | Descriptor.ApReadOnly);
        bed.S1.Map(El1Rw, SmmuTestBed.Data + 0x2000, 3, Leaf);
        bed.S1.Map(El0RoXn, SmmuTestBed.Data + 0x3000, 3,
            Leaf | Descriptor.ApUnprivileged | Descriptor.ApReadOnly | Descriptor.UXN.Make(1) | Descriptor.PXN.Make(1));
        bed.S1.Map(El0RwXn, SmmuTestBed.Data + 0x4000, 3, Leaf | Descriptor.ApUnprivileged | Descriptor.UXN.Make(1));
        return bed;
    }

    private static TransactionResult Do(SmmuTestBed bed, uint sid, ulong va, AccessKind access) => bed.Device.Translate(sid, null, va, access);

    private static void AssertPermissionFault(SmmuTestBed bed, TransactionResult r, ulong va, bool read, bool instruction, bool privileged)
    {
        Assert.Equal(TransactionOutcome.Aborted, r.Outcome);
        Assert.Equal(EventId.F_PERMISSION, r.Fault);
        var e = bed.SingleEvent();
        Assert.Equal(EventId.F_PERMISSION, e.Id);
        Assert.Equal(va, e.Address);
        Assert.False(e.IsStage2);
        Assert.Equal(FaultClass.IN, e.Class);
        Assert.Equal(read, e.IsRead);
        Assert.Equal(instruction ? 1UL : 0, EventRecord.InD.Get(e.Dw1));
        Assert.Equal(privileged ? 1UL : 0, EventRecord.PnU.Get(e.Dw1));
    }

    [Fact]
    public void CD_WXN_makes_an_instruction_read_of_a_writable_page_a_stage_1_permission_fault_5_4()
    {
        // 5.4 WXN = 1: "Instruction read to writable page raises a Permission fault"; the page must be
        // writable at the privilege of the fetch. Read-only pages still execute.
        using var bed = NewBed();
        bed.ConfigureStage1(1, cd: c => Cd.WXN.Set(c, 1));
        bed.ConfigureStage1(2, asid: 2);

        Assert.True(Do(bed, 2, El0Rw, Fetch).Succeeded);
        Assert.True(Do(bed, 2, El1Rw, PrivFetch).Succeeded);
        AssertPermissionFault(bed, Do(bed, 1, El0Rw, Fetch), El0Rw, read: true, instruction: true, privileged: false);
        AssertPermissionFault(bed, Do(bed, 1, El1Rw, PrivFetch), El1Rw, read: true, instruction: true, privileged: true);

        Assert.True(Do(bed, 1, El0Ro, Fetch).Succeeded);
        Assert.True(Do(bed, 1, El0Ro, PrivFetch).Succeeded);
        Assert.True(Do(bed, 1, El0Rw, AccessKind.Write).Succeeded); // data accesses are not affected
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void CD_PAN_makes_a_privileged_data_access_to_an_unprivileged_page_a_permission_fault_5_4()
    {
        // 5.4 PAN = 1 "disables data read or data write access by privileged transactions to a
        // virtual address where unprivileged access to the virtual address is permitted at stage 1".
        using var bed = NewBed();
        bed.ConfigureStage1(1, cd: c => Cd.PAN.Set(c, 1));

        Assert.True(bed.Read(1, El0Ro).Succeeded); // the unprivileged read puts the page in the TLB
        AssertPermissionFault(bed, Do(bed, 1, El0Ro, PrivRead), El0Ro, read: true, instruction: false, privileged: true);
        AssertPermissionFault(bed, Do(bed, 1, El0Rw, PrivWrite), El0Rw, read: false, instruction: false, privileged: true);

        Assert.True(Do(bed, 1, El0Ro, PrivFetch).Succeeded); // instruction fetches are not data accesses
        Assert.True(Do(bed, 1, El1Rw, PrivRead).Succeeded);
        Assert.True(Do(bed, 1, El1Rw, PrivWrite).Succeeded);
        Assert.True(bed.Write(1, El0Rw).Succeeded);
        Assert.Empty(bed.DrainEvents());
    }

    [Fact]
    public void STE_PRIVCFG_unprivileged_overrides_a_privileged_transaction_and_the_record_shows_PnU_0_5_2()
    {
        // 5.2 PRIVCFG = 0b10: Unprivileged. 7.3.16: PnU is the post-STE-override value.
        using var bed = NewBed();
        bed.ConfigureStage1(1, ste: s => Ste.PRIVCFG.Set(s, PrivCfg.Unprivileged));
        AssertPermissionFault(bed, Do(bed, 1, El1Rw, PrivRead), El1Rw, read: true, instruction: false, privileged: false);
        Assert.True(Do(bed, 1, El0Rw, PrivWrite).Succeeded);
    }

    [Fact]
    public void STE_PRIVCFG_privileged_overrides_an_unprivileged_transaction_5_2()
    {
        using var bed = NewBed();
        bed.ConfigureStage1(1, ste: s => Ste.PRIVCFG.Set(s, PrivCfg.Privileged));
        Assert.Equal(SmmuTestBed.Data + 0x2008, bed.Write(1, El1Rw + 8).PhysicalAddress);
        AssertPermissionFault(bed, bed.Write(1, El0Ro), El0Ro, read: false, instruction: false, privileged: true);
    }

    [Fact]
    public void STE_INSTCFG_instruction_makes_reads_instruction_fetches_but_never_writes_13_1_2()
    {
        // 5.2 INSTCFG = 0b11: Instruction; "INSTCFG only affects translations for reads, the SMMU
        // considers incoming writes to be Data regardless of this field" (13.1.2).
        using var bed = NewBed();
        bed.ConfigureStage1(1, ste: s => Ste.INSTCFG.Set(s, InstCfg.Instruction));
        AssertPermissionFault(bed, bed.Read(1, El0RoXn), El0RoXn, read: true, instruction: true, privileged: false);
        Assert.True(bed.Write(1, El0RwXn).Succeeded);
        AssertPermissionFault(bed, bed.Write(1, El0Ro), El0Ro, read: false, instruction: false, privileged: false);
    }

    [Fact]
    public void STE_INSTCFG_data_makes_instruction_fetches_data_reads_5_2()
    {
        using var bed = NewBed();
        bed.ConfigureStage1(1, ste: s => Ste.INSTCFG.Set(s, InstCfg.Data));
        Assert.True(Do(bed, 1, El0RoXn, Fetch).Succeeded);
        var r = Do(bed, 1, El0Rw + 0x10_0000, Fetch);
        Assert.Equal(EventId.F_TRANSLATION, r.Fault);
        Assert.Equal(0UL, EventRecord.InD.Get(bed.SingleEvent().Dw1));
    }

    [Fact]
    public void Without_ATTR_PERMS_OVR_the_override_fields_are_RES0_and_the_incoming_attributes_are_used_5_2()
    {
        using var bed = NewBed(new SmmuFeatures { AttrTypesOverride = false });
        bed.ConfigureStage1(1, ste: s =>
        {
            Ste.PRIVCFG.Set(s, PrivCfg.Unprivileged);
            Ste.INSTCFG.Set(s, InstCfg.Instruction);
        });
        Assert.True(Do(bed, 1, El1Rw, PrivRead).Succeeded);
        Assert.True(bed.Read(1, El0RoXn).Succeeded);
    }

    [Fact]
    public void A_TLB_hit_is_checked_with_the_post_override_access_5_2()
    {
        // Streams 1 and 2 share ASID 1, VMID 0 and the tables, so they share TLB entries. Stream 1
        // caches El1Rw with a privileged read; stream 2 (PRIVCFG = Unprivileged) must not use it.
        using var bed = NewBed();
        bed.ConfigureStage1(1);
        bed.ConfigureStage1(2, ste: s => Ste.PRIVCFG.Set(s, PrivCfg.Unprivileged));
        Assert.True(Do(bed, 1, El1Rw, PrivRead).Succeeded);
        Assert.True(bed.Read(2, El0Rw).Succeeded); // stream 2's configuration is now on the fast path
        var hitsBefore = bed.Device.Tlb.Statistics.Hits;
        AssertPermissionFault(bed, Do(bed, 2, El1Rw, PrivRead), El1Rw, read: true, instruction: false, privileged: false);
        Assert.True(bed.Device.Tlb.Statistics.Hits > hitsBefore); // the entry was found, and refused
    }

    [Fact]
    public void A_stage_2_fault_on_the_CD_fetch_records_the_post_override_PnU_7_3_13()
    {
        using var bed = new SmmuTestBed();
        bed.WriteCd(SmmuTestBed.CdAddress(5), StructureImages.MakeCd(bed.S1.Root));
        var ste = StructureImages.Nested(SmmuTestBed.CdAddress(5), bed.S2.Root);
        Ste.PRIVCFG.Set(ste, PrivCfg.Privileged);
        bed.WriteSte(5, ste);
        Assert.Equal(EventId.F_TRANSLATION, bed.Read(5, El0Rw).Fault);
        var e = bed.SingleEvent();
        Assert.Equal(FaultClass.CD, e.Class);
        Assert.Equal(1UL, EventRecord.PnU.Get(e.Dw1));
    }
}
