using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>
/// Reserved command fields (IHI0070 4.1.5): "An implementation does one of the following: detects
/// non-zero use of a Reserved field as a malformed command, resulting in CERROR_ILL; ignores the
/// entirety of any Reserved fields." The model does either, per <see cref="SmmuDeviceOptions.ReservedFields"/>.
/// </summary>
public sealed class ReservedFieldPolicyTests
{
    /// <summary>CMD_CFGI_STE with garbage in DW1[7:1], as a driver that leaves them uninitialised sends it.</summary>
    private static Command DirtyCfgiSte(uint sid) => Command.CfgiSte(sid, leaf: true) with { Dw1 = 1UL | (0x5AUL << 1) };

    private static SmmuTestBed Bed(ReservedFieldPolicy policy, SmmuFeatures? features = null)
    {
        var bed = new SmmuTestBed(features, bringUp: false, options: o => o with { ReservedFields = policy });
        bed.BringUp();
        return bed;
    }

    [Fact]
    public void Error_policy_a_reserved_bit_is_CERROR_ILL_and_stops_the_queue_4_1_5()
    {
        using var bed = Bed(ReservedFieldPolicy.Error);
        var at = bed.Prod;
        Assert.Equal(CommandError.CERROR_ILL, bed.Submit(DirtyCfgiSte(5)));
        Assert.Equal(at, bed.Cons);
        Assert.Equal(0, bed.Device.Statistics.ReservedBitCommands);
    }

    [Fact]
    public void Ignore_policy_executes_the_command_and_counts_it_4_1_5()
    {
        using var bed = Bed(ReservedFieldPolicy.Ignore);
        bed.WriteSte(5, StructureImages.Bypass());
        bed.Run(Command.CfgiSte(5, true));
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(5, 0x1000).Outcome);

        bed.WriteSte(5, StructureImages.Abort());
        Assert.Equal(CommandError.CERROR_NONE, bed.Submit(DirtyCfgiSte(5)));
        Assert.Equal(bed.Prod, bed.Cons);
        Assert.Equal(0u, bed.ActiveErrors);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(5, 0x1000).Outcome);
        Assert.Equal(1, bed.Device.Statistics.ReservedBitCommands);
        Assert.Equal(0, bed.Device.Statistics.CommandErrors);
        Assert.True(bed.Device.HasReservedBitsSet(DirtyCfgiSte(5)));
        Assert.False(bed.Device.HasReservedBitsSet(Command.CfgiSte(5, true)));
    }

    [Fact]
    public void Ignore_policy_reports_the_original_command_to_CommandConsumed()
    {
        using var bed = Bed(ReservedFieldPolicy.Ignore);
        var seen = new List<Command>();
        bed.Device.AddObserver(new DelegateObserver { OnCommand = (_, c) => seen.Add(c.Command) });
        bed.Run(DirtyCfgiSte(5));
        Assert.Equal(DirtyCfgiSte(5), seen[0]);
    }

    [Fact]
    public void Ignore_policy_still_refuses_SSec_1_on_the_Non_secure_queue_4_1_6()
    {
        // SSec == 1 is ILLEGAL "regardless of whether Secure state is supported": not a reserved field.
        using var bed = Bed(ReservedFieldPolicy.Ignore);
        Assert.Equal(CommandError.CERROR_ILL, bed.Submit(DirtyCfgiSte(5).With(CommandLayouts.SSec, 1)));
        Assert.Equal(0, bed.Device.Statistics.ReservedBitCommands);
    }

    [Fact]
    public void Ignore_policy_still_refuses_an_undefined_opcode_4_1_3()
    {
        using var bed = Bed(ReservedFieldPolicy.Ignore);
        Assert.Equal(CommandError.CERROR_ILL, bed.Submit(new Command(0x77, 0)));
    }

    [Fact]
    public void Ignore_policy_clears_SCALE_5_without_IDR5_DS_before_the_range_is_computed_4_4_1_1()
    {
        using var bed = Bed(ReservedFieldPolicy.Ignore);
        var command = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x1000, true, tg: 1, scale: 32, num: 1);
        Assert.Equal(CommandError.CERROR_NONE, bed.Submit(command));
        Assert.Equal(1, bed.Device.Statistics.ReservedBitCommands);
    }

    [Fact]
    public void CMD_PREFETCH_ADDR_with_a_Stride_is_accepted_by_an_SMMUv3_2_4_2_2()
    {
        // Stride [75:72]: prefetch every 2^(12 + Stride) bytes. Only SMMUv3.0 has it RES0.
        using var bed = new SmmuTestBed();
        var prefetch = new Command((ulong)Opcode.CMD_PREFETCH_ADDR | CommandLayouts.Sid.Make(1),
            CommandLayouts.Addr.InsertAddress(0, 0x20_0000) | 3UL | (9UL << 8));
        Assert.Equal(CommandError.CERROR_NONE, bed.Submit(prefetch));
        Assert.Equal(0u, bed.ActiveErrors);
    }

    [Fact]
    public void CMD_PREFETCH_ADDR_Stride_is_RES0_in_SMMUv3_0_4_2_2()
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { ArchMinorRevision = 0 });
        var prefetch = new Command((ulong)Opcode.CMD_PREFETCH_ADDR, CommandLayouts.PrefetchStride.Make(9));
        Assert.Equal(CommandError.CERROR_ILL, bed.Submit(prefetch));
    }

    [Theory]
    [InlineData(ReservedFieldPolicy.Error, CommandError.CERROR_ILL, 0)]
    [InlineData(ReservedFieldPolicy.Ignore, CommandError.CERROR_NONE, 1)]
    public void CMD_PREFETCH_ADDR_NS_is_RES0_on_the_Non_secure_queue_4_2_2(ReservedFieldPolicy policy, CommandError expected, long counted)
    {
        using var bed = Bed(policy);
        var prefetch = new Command((ulong)Opcode.CMD_PREFETCH_ADDR | CommandLayouts.Sid.Make(1),
            CommandLayouts.PrefetchNs.Make(1) | CommandLayouts.PrefetchStride.Make(2));
        Assert.Equal(expected, bed.Submit(prefetch));
        Assert.Equal(counted, bed.Device.Statistics.ReservedBitCommands);
    }

    [Fact]
    public void CMD_SYNC_MSIAddress_bits_55_to_52_are_RES0_before_SMMUv3_4_4_1_6()
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { OutputAddressBits = 52 });
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.MsiTarget | (1UL << 52), 1));
        Assert.Equal(CommandError.CERROR_ILL, bed.Publish());
        Assert.Equal(0u, bed.Memory.Read32(SmmuTestBed.MsiTarget));
    }

    [Fact]
    public void Ignore_policy_drops_MSIAddress_bits_55_to_52_before_SMMUv3_4_4_1_6()
    {
        using var bed = Bed(ReservedFieldPolicy.Ignore, new SmmuFeatures { OutputAddressBits = 52 });
        bed.Put(Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.MsiTarget | (1UL << 52), 7));
        Assert.Equal(CommandError.CERROR_NONE, bed.Publish());
        Assert.Equal(7u, bed.Memory.Read32(SmmuTestBed.MsiTarget));
        Assert.Equal(1, bed.Device.Statistics.ReservedBitCommands);
    }

    [Fact]
    public void TLBI_S2_IPA_bits_55_to_52_are_RES0_before_SMMUv3_4_4_1_6()
    {
        using var bed = new SmmuTestBed();
        var tlbi = Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 1, 0, (1UL << 52) | 0x1000, leaf: true);
        Assert.Equal(CommandError.CERROR_ILL, bed.Submit(tlbi));
    }

    [Fact]
    public void The_reserved_field_policy_defaults_to_error() =>
        Assert.Equal(ReservedFieldPolicy.Error, new SmmuDeviceOptions().ReservedFields);
}
