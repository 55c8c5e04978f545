using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>The register file (IHI0070 6.3): reset values, read-only and read-write behaviour, update protocols.</summary>
public sealed class RegisterTests
{
    private static SmmuTestBed Fresh(SmmuFeatures? features = null) => new(features, bringUp: false);

    [Theory]
    [InlineData(SmmuRegister.CR0, 0u)]
    [InlineData(SmmuRegister.CR0ACK, 0u)]
    [InlineData(SmmuRegister.CR1, 0u)]
    [InlineData(SmmuRegister.CR2, 0u)]
    [InlineData(SmmuRegister.STATUSR, 0u)]
    [InlineData(SmmuRegister.GBPA, Gbpa.ResetValue)]
    [InlineData(SmmuRegister.IRQ_CTRL, 0u)]
    [InlineData(SmmuRegister.IRQ_CTRLACK, 0u)]
    [InlineData(SmmuRegister.GERROR, 0u)]
    [InlineData(SmmuRegister.GERRORN, 0u)]
    [InlineData(SmmuRegister.CMDQ_PROD, 0u)]
    [InlineData(SmmuRegister.CMDQ_CONS, 0u)]
    [InlineData(SmmuRegister.EVENTQ_PROD, 0u)]
    [InlineData(SmmuRegister.EVENTQ_CONS, 0u)]
    [InlineData(SmmuRegister.IDR2, 0u)]
    [InlineData(SmmuRegister.IDR4, 0u)]
    [InlineData(SmmuRegister.STRTAB_BASE_CFG, 0u)]
    public void Reset_values(int offset, uint expected)
    {
        using var bed = Fresh();
        Assert.Equal(expected, bed.Mmio.Read32(offset));
    }

    [Fact]
    public void Sixty_four_bit_registers_reset_to_zero_address()
    {
        using var bed = Fresh();
        Assert.Equal(0UL, bed.Mmio.Read64(SmmuRegister.STRTAB_BASE));
        Assert.Equal(0UL, bed.Mmio.Read64(SmmuRegister.GERROR_IRQ_CFG0));
        Assert.Equal(0UL, bed.Mmio.Read64(SmmuRegister.EVENTQ_IRQ_CFG0));
        Assert.Equal(0UL, QueueBase.ADDR.GetAddress(bed.Mmio.Read64(SmmuRegister.CMDQ_BASE)));
        Assert.Equal(0UL, QueueBase.ADDR.GetAddress(bed.Mmio.Read64(SmmuRegister.EVENTQ_BASE)));
    }

    [Theory]
    [InlineData(SmmuRegister.IDR0)]
    [InlineData(SmmuRegister.IDR1)]
    [InlineData(SmmuRegister.IDR2)]
    [InlineData(SmmuRegister.IDR3)]
    [InlineData(SmmuRegister.IDR4)]
    [InlineData(SmmuRegister.IDR5)]
    [InlineData(SmmuRegister.IIDR)]
    [InlineData(SmmuRegister.AIDR)]
    [InlineData(SmmuRegister.CR0ACK)]
    [InlineData(SmmuRegister.STATUSR)]
    [InlineData(SmmuRegister.IRQ_CTRLACK)]
    [InlineData(SmmuRegister.GERROR)]
    public void Read_only_registers_ignore_writes(int offset)
    {
        using var bed = Fresh();
        var before = bed.Mmio.Read32(offset);
        bed.Mmio.Write32(offset, 0xFFFF_FFFF);
        bed.Mmio.Write32(offset, 0x1234_5678);
        Assert.Equal(before, bed.Mmio.Read32(offset));
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.CR0));
    }

    [Fact]
    public void Unaligned_and_out_of_range_accesses_are_harmless()
    {
        using var bed = Fresh();
        bed.Mmio.Write32(SmmuRegister.CR1 + 1, 0xFFFF_FFFF);
        bed.Mmio.Write32(-4, 1);
        bed.Mmio.Write32(SmmuRegister.RegionSize, 1);
        bed.Mmio.Write64(SmmuRegister.STRTAB_BASE + 4, ulong.MaxValue);
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.CR1 + 1));
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.RegionSize));
        Assert.Equal(0UL, bed.Mmio.Read64(SmmuRegister.STRTAB_BASE + 4));
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.CR1));
        Assert.Equal(0UL, bed.Mmio.Read64(SmmuRegister.STRTAB_BASE));
    }

    [Fact]
    public void CR0ACK_follows_CR0_and_reserved_bits_are_not_stored()
    {
        using var bed = Fresh();
        bed.Mmio.Write32(SmmuRegister.CR0, 0xFFFF_FFFF);
        var cr0 = bed.Mmio.Read32(SmmuRegister.CR0);
        Assert.Equal(cr0, bed.Mmio.Read32(SmmuRegister.CR0ACK));
        Assert.Equal(0u, cr0 & ~Cr0.ImplementedMask);
        Assert.True(Cr0.SMMUEN.IsSet(cr0) && Cr0.CMDQEN.IsSet(cr0) && Cr0.EVENTQEN.IsSet(cr0) && Cr0.ATSCHK.IsSet(cr0));
        Assert.False(Cr0.PRIQEN.IsSet(cr0)); // no PRI in the default features
        bed.Mmio.Write32(SmmuRegister.CR0, 0);
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.CR0ACK));
    }

    [Fact]
    public void CR0_ATSCHK_is_RES0_without_ATS_and_PRIQEN_is_writable_with_PRI()
    {
        using (var noAts = Fresh(new SmmuFeatures { Ats = false }))
        {
            noAts.Mmio.Write32(SmmuRegister.CR0, (uint)Cr0.ATSCHK.Make(1));
            Assert.Equal(0u, noAts.Mmio.Read32(SmmuRegister.CR0ACK));
        }

        using var pri = Fresh(new SmmuFeatures { Pri = true });
        pri.Mmio.Write32(SmmuRegister.CR0, (uint)Cr0.PRIQEN.Make(1));
        Assert.Equal((uint)Cr0.PRIQEN.Make(1), pri.Mmio.Read32(SmmuRegister.CR0ACK));
    }

    [Fact]
    public void CR1_is_read_write_while_everything_is_disabled_and_frozen_otherwise()
    {
        using var bed = Fresh();
        bed.Mmio.Write32(SmmuRegister.CR1, 0xFFFF_FD75);
        Assert.Equal(0xD75u, bed.Mmio.Read32(SmmuRegister.CR1));
        bed.WriteCr0((uint)Cr0.CMDQEN.Make(1));
        bed.Mmio.Write32(SmmuRegister.CR1, 0);
        Assert.Equal(0xD75u, bed.Mmio.Read32(SmmuRegister.CR1));
    }

    [Fact]
    public void CR2_is_writable_until_SMMUEN_and_read_only_after()
    {
        using var bed = new SmmuTestBed(cr2: 0);
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.CR2));
        bed.Mmio.Write32(SmmuRegister.CR2, SmmuTestBed.RecInvSid);
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.CR2));

        bed.ClearCr0(Cr0.SMMUEN);
        bed.Mmio.Write32(SmmuRegister.CR2, 0xFFFF_FFFF);
        var cr2 = bed.Mmio.Read32(SmmuRegister.CR2);
        Assert.True(Cr2.RECINVSID.IsSet(cr2));
        Assert.Equal(0u, cr2 & ~Cr2.ImplementedMask);
    }

    [Theory]
    [InlineData(nameof(Cr2.E2H))] // needs HYP
    [InlineData(nameof(Cr2.REC_CFG_ATS))] // needs ATS
    public void A_CR2_field_is_RES0_without_the_feature_it_needs(string field)
    {
        var (bit, without, with) = field == nameof(Cr2.E2H)
            ? ((uint)Cr2.E2H.Make(1), new SmmuFeatures(), new SmmuFeatures { Hyp = true })
            : ((uint)Cr2.REC_CFG_ATS.Make(1), new SmmuFeatures { Ats = false }, new SmmuFeatures());

        using var lacking = Fresh(without);
        lacking.Mmio.Write32(SmmuRegister.CR2, bit);
        Assert.Equal(0u, lacking.Mmio.Read32(SmmuRegister.CR2));

        using var having = Fresh(with);
        having.Mmio.Write32(SmmuRegister.CR2, bit);
        Assert.Equal(bit, having.Mmio.Read32(SmmuRegister.CR2));
    }

    [Fact]
    public void GBPA_ignores_writes_without_Update()
    {
        using var bed = Fresh();
        bed.Mmio.Write32(SmmuRegister.GBPA, (uint)Gbpa.ABORT.Make(1));
        Assert.Equal(Gbpa.ResetValue, bed.Mmio.Read32(SmmuRegister.GBPA));
    }

    [Fact]
    public void GBPA_update_completes_at_once_and_reads_back_without_Update()
    {
        using var bed = Fresh();
        var value = (uint)(Gbpa.ABORT.Make(1) | Gbpa.SHCFG.Make(3) | Gbpa.MemAttr.Make(0xF) | Gbpa.MTCFG.Make(1));
        bed.Mmio.Write32(SmmuRegister.GBPA, value | (uint)Gbpa.Update.Make(1) | 0x0060_00E0); // plus reserved bits
        var gbpa = bed.Mmio.Read32(SmmuRegister.GBPA);
        Assert.False(Gbpa.Update.IsSet(gbpa));
        Assert.Equal(value, gbpa);
    }

    [Fact]
    public void IRQ_CTRLACK_follows_IRQ_CTRL_and_PRIQ_IRQEN_needs_PRI()
    {
        using var bed = Fresh();
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, 0xFFFF_FFFF);
        Assert.Equal(5u, bed.Mmio.Read32(SmmuRegister.IRQ_CTRL));
        Assert.Equal(5u, bed.Mmio.Read32(SmmuRegister.IRQ_CTRLACK));
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, 0);
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.IRQ_CTRLACK));

        using var pri = Fresh(new SmmuFeatures { Pri = true });
        pri.Mmio.Write32(SmmuRegister.IRQ_CTRL, 7);
        Assert.Equal(7u, pri.Mmio.Read32(SmmuRegister.IRQ_CTRLACK));
    }

    [Theory]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG0)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG0)]
    [InlineData(SmmuRegister.PRIQ_IRQ_CFG0)]
    public void IRQ_CFG0_keeps_address_bits_55_to_2(int offset)
    {
        using var bed = Fresh();
        bed.Mmio.Write64(offset, ulong.MaxValue);
        Assert.Equal(0x00FF_FFFF_FFFF_FFFCUL, bed.Mmio.Read64(offset));
    }

    [Theory]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG1, 0xFFFF_FFFFu)]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG2, 0x3Fu)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG1, 0xFFFF_FFFFu)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG2, 0x3Fu)]
    [InlineData(SmmuRegister.PRIQ_IRQ_CFG1, 0xFFFF_FFFFu)]
    [InlineData(SmmuRegister.PRIQ_IRQ_CFG2, 0x3Fu)]
    public void IRQ_CFG1_and_CFG2_are_read_write(int offset, uint mask)
    {
        using var bed = Fresh();
        bed.Mmio.Write32(offset, 0xFFFF_FFFF);
        Assert.Equal(mask, bed.Mmio.Read32(offset));
        bed.Mmio.Write32(offset, 0x12);
        Assert.Equal(0x12u, bed.Mmio.Read32(offset));
    }

    [Theory]
    [InlineData(SmmuRegister.STRTAB_BASE)]
    [InlineData(SmmuRegister.CMDQ_BASE)]
    [InlineData(SmmuRegister.EVENTQ_BASE)]
    [InlineData(SmmuRegister.GERROR_IRQ_CFG0)]
    [InlineData(SmmuRegister.EVENTQ_IRQ_CFG0)]
    public void Sixty_four_bit_registers_have_independent_32_bit_halves(int offset)
    {
        using var bed = Fresh();
        const ulong Value = 0x4000_1234_5678_9A00UL;
        bed.Mmio.Write32(offset, unchecked((uint)Value));
        bed.Mmio.Write32(offset + 4, (uint)(Value >> 32));
        var whole = bed.Mmio.Read64(offset);
        Assert.Equal((uint)whole, bed.Mmio.Read32(offset));
        Assert.Equal((uint)(whole >> 32), bed.Mmio.Read32(offset + 4));
        Assert.Equal(0x1234_5678_9A00UL, whole & 0x0000_FFFF_FFFF_FF00UL);

        // Writing the low half leaves the high half alone.
        bed.Mmio.Write32(offset, 0);
        Assert.Equal(whole >> 32, bed.Mmio.Read64(offset) >> 32);
        Assert.Equal(0u, bed.Mmio.Read32(offset) & 0xFFFF_FFE0);
    }

    [Fact]
    public void STRTAB_BASE_and_CFG_mask_reserved_bits()
    {
        using var bed = Fresh();
        bed.Mmio.Write64(SmmuRegister.STRTAB_BASE, ulong.MaxValue);
        Assert.Equal(StrtabBase.ADDR.InPlaceMask | StrtabBase.RA.InPlaceMask, bed.Mmio.Read64(SmmuRegister.STRTAB_BASE));
        bed.Mmio.Write32(SmmuRegister.STRTAB_BASE_CFG, 0xFFFF_FFFF);
        Assert.Equal(0x307FFu, bed.Mmio.Read32(SmmuRegister.STRTAB_BASE_CFG));
    }

    [Fact]
    public void STRTAB_registers_are_ignored_while_SMMUEN_is_set()
    {
        using var bed = new SmmuTestBed();
        var b = bed.Mmio.Read64(SmmuRegister.STRTAB_BASE);
        var cfg = bed.Mmio.Read32(SmmuRegister.STRTAB_BASE_CFG);
        bed.Mmio.Write64(SmmuRegister.STRTAB_BASE, 0x7700_0000);
        bed.Mmio.Write32(SmmuRegister.STRTAB_BASE + 4, 1);
        bed.Mmio.Write32(SmmuRegister.STRTAB_BASE_CFG, 3);
        Assert.Equal(b, bed.Mmio.Read64(SmmuRegister.STRTAB_BASE));
        Assert.Equal(cfg, bed.Mmio.Read32(SmmuRegister.STRTAB_BASE_CFG));
    }

    [Fact]
    public void Queue_bases_are_ignored_while_their_queue_is_enabled()
    {
        using var bed = new SmmuTestBed();
        var cmdq = bed.Mmio.Read64(SmmuRegister.CMDQ_BASE);
        var evtq = bed.Mmio.Read64(SmmuRegister.EVENTQ_BASE);
        bed.Mmio.Write64(SmmuRegister.CMDQ_BASE, 0x7700_0000);
        bed.Mmio.Write32(SmmuRegister.CMDQ_BASE + 4, 1);
        bed.Mmio.Write64(SmmuRegister.EVENTQ_BASE, 0x7700_0000);
        Assert.Equal(cmdq, bed.Mmio.Read64(SmmuRegister.CMDQ_BASE));
        Assert.Equal(evtq, bed.Mmio.Read64(SmmuRegister.EVENTQ_BASE));

        bed.WriteCr0(0);
        bed.Mmio.Write64(SmmuRegister.CMDQ_BASE, 0x7700_0000 | 3);
        Assert.Equal(0x7700_0003UL, bed.Mmio.Read64(SmmuRegister.CMDQ_BASE));
    }

    [Fact]
    public void Queue_base_keeps_address_LOG2SIZE_and_allocation_hint()
    {
        using var bed = Fresh();
        bed.Mmio.Write64(SmmuRegister.CMDQ_BASE, ulong.MaxValue);
        Assert.Equal(QueueBase.ADDR.InPlaceMask | QueueBase.RWA.InPlaceMask | QueueBase.LOG2SIZE.InPlaceMask,
            bed.Mmio.Read64(SmmuRegister.CMDQ_BASE));
    }

    [Fact]
    public void CMDQ_PROD_keeps_index_and_wrap_bits_only()
    {
        using var bed = Fresh();
        bed.Mmio.Write64(SmmuRegister.CMDQ_BASE, QueueBase.LOG2SIZE.Make(4));
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, 0xFFFF_FFFF);
        Assert.Equal(0x1Fu, bed.Mmio.Read32(SmmuRegister.CMDQ_PROD));
        bed.Mmio.Write32(SmmuRegister.CMDQ_CONS, 0x15);
        Assert.Equal(0x15u, bed.Mmio.Read32(SmmuRegister.CMDQ_CONS));
    }

    [Fact]
    public void Queue_LOG2SIZE_is_capped_by_the_IDR1_maximum()
    {
        using var bed = Fresh(new SmmuFeatures { CommandQueueBits = 3 });
        bed.Mmio.Write64(SmmuRegister.CMDQ_BASE, QueueBase.LOG2SIZE.Make(10));
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, 0xFFFF);
        Assert.Equal(0xFu, bed.Mmio.Read32(SmmuRegister.CMDQ_PROD));
    }

    [Fact]
    public void CMDQ_CONS_is_written_only_while_the_queue_is_disabled()
    {
        using var bed = new SmmuTestBed();
        var cons = bed.Mmio.Read32(SmmuRegister.CMDQ_CONS);
        bed.Mmio.Write32(SmmuRegister.CMDQ_CONS, cons + 5);
        Assert.Equal(cons, bed.Mmio.Read32(SmmuRegister.CMDQ_CONS));
    }

    [Fact]
    public void EVENTQ_PROD_is_written_only_while_the_event_queue_is_disabled()
    {
        using var bed = new SmmuTestBed();
        bed.Mmio.Write32(SmmuRegister.EVENTQ_PROD, 7);
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.EVENTQ_PROD));

        bed.ClearCr0(Cr0.EVENTQEN);
        bed.Mmio.Write32(SmmuRegister.EVENTQ_PROD, 7 | QueuePointer.OverflowFlag | 0x7FF0_0000);
        Assert.Equal(7u | QueuePointer.OverflowFlag, bed.Mmio.Read32(SmmuRegister.EVENTQ_PROD));
    }

    [Fact]
    public void EVENTQ_CONS_keeps_index_wrap_and_OVACKFLG()
    {
        using var bed = new SmmuTestBed(eventqLog2: 3);
        bed.Mmio.Write32(SmmuRegister.EVENTQ_CONS, 0xFFFF_FFFF);
        Assert.Equal(0xFu | QueuePointer.OverflowFlag, bed.Mmio.Read32(SmmuRegister.EVENTQ_CONS));
    }

    [Fact]
    public void GERRORN_is_read_write_within_the_implemented_bits()
    {
        using var bed = Fresh();
        bed.Mmio.Write32(SmmuRegister.GERRORN, 0xFFFF_FFFF);
        Assert.Equal(GError.ImplementedMask, bed.Mmio.Read32(SmmuRegister.GERRORN));
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.GERROR));
    }

    [Fact]
    public void Page_one_holds_the_event_queue_pointers_and_page_zero_aliases_read_as_zero()
    {
        using var bed = new SmmuTestBed(eventqLog2: 3);
        bed.Mmio.Write32(SmmuRegister.EVENTQ_CONS, 3);
        Assert.Equal(3u, bed.Mmio.Read32(SmmuRegister.EVENTQ_CONS));
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.EVENTQ_CONS - SmmuRegister.Page1));
    }

    [Fact]
    public void A_64_bit_access_to_a_pair_of_32_bit_registers_reaches_both()
    {
        using var bed = Fresh();
        bed.Mmio.Write64(SmmuRegister.GERROR_IRQ_CFG1, 0x0000_0021_1234_5678UL);
        Assert.Equal(0x1234_5678u, bed.Mmio.Read32(SmmuRegister.GERROR_IRQ_CFG1));
        Assert.Equal(0x21u, bed.Mmio.Read32(SmmuRegister.GERROR_IRQ_CFG2));
        Assert.Equal(0x0000_0021_1234_5678UL, bed.Mmio.Read64(SmmuRegister.GERROR_IRQ_CFG1));
    }

    [Fact]
    public void Every_register_offset_is_in_the_table_under_its_spec_name()
    {
        using var bed = Fresh();
        var offsets = typeof(SmmuRegister).GetFields()
            .Where(f => f.IsLiteral && f.Name is not (nameof(SmmuRegister.Page1) or nameof(SmmuRegister.RegionSize)))
            .Select(f => (f.Name, Offset: (int)f.GetRawConstantValue()!))
            .ToList();
        Assert.NotEmpty(offsets);
        foreach (var (name, offset) in offsets)
        {
            Assert.Equal(name, bed.Device.RegisterName(offset));
        }
    }

    [Fact]
    public void Register_names_cover_both_halves_of_64_bit_registers_and_nothing_else()
    {
        using var bed = Fresh();
        Assert.Equal("STRTAB_BASE", bed.Device.RegisterName(SmmuRegister.STRTAB_BASE + 4));
        Assert.Equal("GERROR_IRQ_CFG0", bed.Device.RegisterName(SmmuRegister.GERROR_IRQ_CFG0 + 4));
        Assert.Null(bed.Device.RegisterName(SmmuRegister.CR0 + 1));
        Assert.Null(bed.Device.RegisterName(0x030));
        Assert.Null(bed.Device.RegisterName(SmmuRegister.EVENTQ_PROD - SmmuRegister.Page1));
        Assert.Null(bed.Device.RegisterName(SmmuRegister.RegionSize));
    }
}
