using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Configuration;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Configuration;

/// <summary>Stream table indexing: linear and 2-level, StreamID range, L1STD Span rules, fetch aborts.</summary>
public sealed class StreamTableWalkTests
{
    private const ulong L2Array = 0x0030_0000;

    [Fact]
    public void A_linear_table_is_indexed_by_StreamID()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(5, StructureImages.Bypass());
        var r = bed.Lookup(5);
        Assert.True(r.IsOk);
        Assert.Equal(StreamConfigKind.Bypass, r.Stream!.Kind);
        Assert.Equal(5u, r.Stream.StreamId);
        Assert.Null(r.Context);
    }

    [Fact]
    public void A_StreamID_beyond_LOG2SIZE_is_C_BAD_STREAMID()
    {
        var bed = new ConfigTestBed();
        var r = bed.Lookup(256);
        Assert.Equal(ConfigStatus.Fault, r.Status);
        Assert.Equal(EventId.C_BAD_STREAMID, r.Fault.Event);
        Assert.Equal(ConfigFaultReason.StreamIdOutOfRange, r.Fault.Reason);
        Assert.Equal(256u, r.Fault.ToEventRecord().Sid);
    }

    [Fact]
    public void LOG2SIZE_is_capped_by_SIDSIZE()
    {
        var bed = new ConfigTestBed(new SmmuFeatures { StreamIdBits = 6, TwoLevelStreamTable = false },
            StreamTableRegisters.Linear(ConfigTestBed.LinearTable, 10));
        bed.WriteSte(64, StructureImages.Bypass());
        Assert.Equal(ConfigFaultReason.StreamIdOutOfRange, bed.Lookup(64).Fault.Reason);
        bed.WriteSte(63, StructureImages.Bypass());
        Assert.True(bed.Lookup(63).IsOk);
    }

    [Fact]
    public void Without_RECINVSID_an_invalid_StreamID_aborts_silently()
    {
        var bed = new ConfigTestBed { Cr2 = 0 };
        var r = bed.Lookup(300);
        Assert.Equal(ConfigStatus.Abort, r.Status);
        Assert.Equal(EventId.C_BAD_STREAMID, r.Fault.Event);
    }

    [Fact]
    public void The_linear_base_is_aligned_to_the_table_size()
    {
        // 256 STEs = 16 KiB: ADDR[13:0] are treated as zero.
        var bed = new ConfigTestBed(regs: StreamTableRegisters.Linear(ConfigTestBed.LinearTable + 0x2040, 8));
        bed.WriteSte(3, StructureImages.Bypass());
        Assert.True(bed.Lookup(3).IsOk);
    }

    [Fact]
    public void An_unbacked_STE_is_F_STE_FETCH_with_its_address()
    {
        var bed = new ConfigTestBed(regs: StreamTableRegisters.Linear(ConfigTestBed.Unbacked, 8));
        var r = bed.Lookup(2, ssid: 7);
        Assert.Equal(EventId.F_STE_FETCH, r.Fault.Event);
        Assert.Equal(ConfigTestBed.Unbacked + 128, r.Fault.FetchAddress);
        var record = r.Fault.ToEventRecord();
        Assert.Equal(ConfigTestBed.Unbacked + 128, record.Fetch);
        Assert.True(record.SsidValid);
        Assert.Equal(7u, record.Ssid);
    }

    [Theory]
    [InlineData(8, 0x1234u)]
    [InlineData(6, 0x0042u)]
    [InlineData(10, 0xBEEFu)]
    public void A_two_level_table_splits_the_StreamID_at_SPLIT(int split, uint sid)
    {
        var bed = TwoLevel(16, split);
        var l1 = sid >> split;
        var l2 = sid & ((1u << split) - 1);
        bed.WriteL1Std(l1, L2Array, split + 1);
        bed.Write(L2Array + (64UL * l2), StructureImages.Bypass());
        var r = bed.Lookup(sid);
        Assert.True(r.IsOk, r.ToString());
    }

    [Fact]
    public void Reserved_SPLIT_values_behave_as_6()
    {
        var regs = StreamTableRegisters.TwoLevel(ConfigTestBed.L1Table, 16, 7);
        Assert.Equal(6, regs.Split);
        var bed = new ConfigTestBed(regs: regs);
        bed.WriteL1Std(0x1234 >> 6, L2Array, 7);
        bed.Write(L2Array + (64UL * (0x1234 & 63)), StructureImages.Bypass());
        Assert.True(bed.Lookup(0x1234).IsOk);
    }

    [Theory]
    [InlineData(0, ConfigFaultReason.L1StdInvalid)]
    [InlineData(12, ConfigFaultReason.L1StdInvalid)]
    [InlineData(31, ConfigFaultReason.L1StdInvalid)]
    [InlineData(10, ConfigFaultReason.L1StdSpanTooLarge)]
    public void Invalid_L1STD_spans_are_C_BAD_STREAMID(int span, ConfigFaultReason reason)
    {
        var bed = TwoLevel(16, 8);
        bed.WriteL1Std(1, L2Array, span);
        var r = bed.Lookup(0x100);
        Assert.Equal(EventId.C_BAD_STREAMID, r.Fault.Event);
        Assert.Equal(reason, r.Fault.Reason);
    }

    [Fact]
    public void A_StreamID_beyond_the_span_of_its_L1STD_is_C_BAD_STREAMID()
    {
        var bed = TwoLevel(16, 8);
        bed.WriteL1Std(1, L2Array, 5); // 16 STEs
        bed.Write(L2Array + (64UL * 15), StructureImages.Bypass());
        Assert.True(bed.Lookup(0x10F).IsOk);
        var r = bed.Lookup(0x110);
        Assert.Equal(EventId.C_BAD_STREAMID, r.Fault.Event);
        Assert.Equal(ConfigFaultReason.StreamIdOutsideSpan, r.Fault.Reason);
    }

    [Fact]
    public void L2Ptr_is_aligned_to_the_level_2_array_size()
    {
        var bed = TwoLevel(16, 8);
        bed.WriteL1Std(2, L2Array + 0x3C0, 5); // 16 STEs = 1 KiB: L2Ptr[9:0] treated as zero
        bed.Write(L2Array + (64UL * 3), StructureImages.Bypass());
        Assert.True(bed.Lookup(0x203).IsOk);
    }

    [Fact]
    public void The_two_level_base_is_aligned_to_the_L1_table_size()
    {
        // LOG2SIZE 16, SPLIT 8: 256 L1STDs = 2 KiB, ADDR[10:0] treated as zero.
        var bed = new ConfigTestBed(regs: StreamTableRegisters.TwoLevel(ConfigTestBed.L1Table + 0x7C0, 16, 8));
        bed.WriteL1Std(0, L2Array, 9);
        bed.Write(L2Array, StructureImages.Bypass());
        Assert.True(bed.Lookup(0).IsOk);
    }

    [Fact]
    public void An_unbacked_L1STD_or_level_2_STE_is_F_STE_FETCH()
    {
        var bed = new ConfigTestBed(regs: StreamTableRegisters.TwoLevel(ConfigTestBed.Unbacked, 16, 8));
        var r = bed.Lookup(0x305);
        Assert.Equal(EventId.F_STE_FETCH, r.Fault.Event);
        Assert.Equal(ConfigTestBed.Unbacked + (8 * 3), r.Fault.FetchAddress);

        bed = TwoLevel(16, 8);
        bed.WriteL1Std(3, ConfigTestBed.Unbacked, 9);
        r = bed.Lookup(0x305);
        Assert.Equal(EventId.F_STE_FETCH, r.Fault.Event);
        Assert.Equal(ConfigTestBed.Unbacked + (64 * 5), r.Fault.FetchAddress);
    }

    [Fact]
    public void An_L2Ptr_beyond_the_OAS_is_F_STE_FETCH()
    {
        var bed = TwoLevel(16, 8);
        bed.WriteL1Std(0, 1UL << 50, 9);
        Assert.Equal(EventId.F_STE_FETCH, bed.Lookup(1).Fault.Event);
    }

    [Fact]
    public void Without_two_level_support_FMT_behaves_as_linear()
    {
        var bed = new ConfigTestBed(new SmmuFeatures { StreamIdBits = 6, TwoLevelStreamTable = false },
            StreamTableRegisters.TwoLevel(ConfigTestBed.LinearTable, 6, 8));
        bed.WriteSte(9, StructureImages.Bypass());
        Assert.True(bed.Lookup(9).IsOk);
    }

    [Fact]
    public void The_walker_can_be_used_without_a_cache()
    {
        var bed = new ConfigTestBed();
        bed.WriteSte(1, StructureImages.Abort());
        var walker = new StreamTableWalker(bed.Features, bed.Memory);
        var r = walker.Fetch(bed.Regs, (uint)Cr2.RECINVSID.Make(1), 1);
        Assert.Equal(ConfigStatus.Abort, r.Status);
        Assert.NotNull(r.Stream);
        Assert.Equal(1, walker.SteReads);
        Assert.Equal(0, walker.L1Reads);
    }

    private static ConfigTestBed TwoLevel(int log2Size, int split) =>
        new(regs: StreamTableRegisters.TwoLevel(ConfigTestBed.L1Table, log2Size, split));
}
