using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>
/// Command errors (IHI0070 7.1): CERROR_ILL for unknown, reserved and unimplemented commands,
/// CERROR_ABT, CERROR_ATC_INV_SYNC; CONS stays on the failing command, CONS.ERR and
/// GERROR.CMDQ_ERR report it, and consumption resumes once software acknowledges.
/// </summary>
public sealed class CommandErrorTests
{
    /// <summary>Submits <paramref name="bad"/> followed by a marker command and asserts that it stops the queue with <paramref name="expected"/>.</summary>
    private static void AssertStops(SmmuTestBed bed, Command bad, CommandError expected = CommandError.CERROR_ILL)
    {
        var at = bed.Prod;
        bed.Put(bad);
        bed.Put(Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(expected, bed.Publish());
        Assert.Equal(at, bed.Cons);
        Assert.NotEqual(0u, bed.ActiveErrors & GError.CMDQ_ERR);
        Assert.Equal(1, bed.Device.Statistics.CommandErrors);
    }

    private static void AssertAccepted(SmmuTestBed bed, Command c)
    {
        Assert.Equal(CommandError.CERROR_NONE, bed.Submit(c));
        Assert.Equal(0u, bed.ActiveErrors);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x07)]
    [InlineData(0x14)]
    [InlineData(0x2B)]
    [InlineData(0x42)]
    [InlineData(0x47)]
    [InlineData(0x60)]
    [InlineData(0xFF)]
    public void Unknown_opcode_is_CERROR_ILL(byte opcode)
    {
        using var bed = new SmmuTestBed();
        AssertStops(bed, new Command(opcode, 0));
    }

    public static TheoryData<byte> DefinedOpcodes()
    {
        var data = new TheoryData<byte>();
        foreach (var op in CommandLayouts.All)
        {
            data.Add((byte)op);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DefinedOpcodes))]
    public void A_reserved_bit_in_any_command_is_CERROR_ILL(byte opcode)
    {
        var layout = CommandLayouts.For(opcode)!;
        for (var dw = 0; dw < 2; dw++)
        {
            var mask = layout.ReservedMask[dw];
            foreach (var bit in new[] { System.Numerics.BitOperations.TrailingZeroCount(mask), 63 - System.Numerics.BitOperations.LeadingZeroCount(mask) })
            {
                if (mask == 0)
                {
                    continue;
                }

                using var bed = new SmmuTestBed(new SmmuFeatures { Hyp = true, Pri = true, StallModel = 0 });
                var c = dw == 0 ? new Command(opcode | (1UL << bit), 0) : new Command(opcode, 1UL << bit);
                AssertStops(bed, c);
            }
        }
    }

    public static TheoryData<string, SmmuFeatures, Command> Unimplemented => new()
    {
        { "NH_ALL without S1P", new SmmuFeatures { Stage1 = false }, Command.TlbiNhAll(0) },
        { "NH_ASID without S1P", new SmmuFeatures { Stage1 = false }, Command.TlbiNhAsid(0, 1) },
        { "NH_VA without S1P", new SmmuFeatures { Stage1 = false }, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x1000, true) },
        { "NH_VAA without S1P", new SmmuFeatures { Stage1 = false }, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VAA, 0, 0, 0x1000, true) },
        { "CFGI_CD without S1P", new SmmuFeatures { Stage1 = false }, Command.CfgiCd(1, 0, true) },
        { "CFGI_CD_ALL without S1P", new SmmuFeatures { Stage1 = false }, Command.CfgiCdAll(1) },
        { "S12_VMALL without S2P", new SmmuFeatures { Stage2 = false }, Command.TlbiS12Vmall(1) },
        { "S2_IPA without S2P", new SmmuFeatures { Stage2 = false }, Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 1, 0, 0x1000, true) },
        { "EL2_ALL without HYP", new SmmuFeatures(), Command.TlbiEl2All() },
        { "EL2_ASID without HYP", new SmmuFeatures(), Command.TlbiEl2Asid(1) },
        { "EL2_VA without HYP", new SmmuFeatures(), Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VA, 0, 1, 0x1000, true) },
        { "EL2_VAA without HYP", new SmmuFeatures(), Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VAA, 0, 0, 0x1000, true) },
        { "EL3_ALL", new SmmuFeatures(), new Command((ulong)Opcode.CMD_TLBI_EL3_ALL, 0) },
        { "EL3_VA", new SmmuFeatures(), new Command((ulong)Opcode.CMD_TLBI_EL3_VA, 0x1000) },
        { "NH_VA NUM without RIL", new SmmuFeatures { RangeInvalidation = false }, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x1000, true, tg: 1, num: 3) },
        { "NH_VA TG without RIL", new SmmuFeatures { RangeInvalidation = false }, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x1000, true, tg: 1, ttl: 3) },
        { "S2_IPA SCALE without RIL", new SmmuFeatures { RangeInvalidation = false }, Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 1, 0, 0x1000, true, tg: 1, scale: 2) },
        { "SCALE[5] without DS", new SmmuFeatures(), Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x1000, true, tg: 1, scale: 32) },
        { "TTL128 without D128", new SmmuFeatures(), Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x1000, true, tg: 1, ttl: 3).With(CommandLayouts.Ttl128, 1) },
        { "ASID[15:8] without ASID16", new SmmuFeatures { Asid16 = false }, Command.TlbiNhAsid(0, 0x100) },
        { "VMID[15:8] without VMID16", new SmmuFeatures { Vmid16 = false }, Command.TlbiS12Vmall(0x100) },
        { "ATC_INV without ATS", new SmmuFeatures { Ats = false }, Command.AtcInv(1, 0, false, 0, 0) },
        { "ATC_INV size 53", new SmmuFeatures(), Command.AtcInv(1, 0, false, 0, 53) },
        { "PRI_RESP without PRI", new SmmuFeatures(), Command.PriResp(1, 0, false, 0, PriResponse.Success) },
        { "PRI_RESP reserved Resp", new SmmuFeatures { Pri = true }, Command.PriResp(1, 0, false, 0, PriResponse.Success).With(CommandLayouts.PriResp, 3) },
        { "RESUME without stall", new SmmuFeatures(), Command.Resume(1, 0, ResumeAction.Retry) },
        { "STALL_TERM without stall", new SmmuFeatures(), new Command((ulong)Opcode.CMD_STALL_TERM, 0) },
        { "CMD_SYNC CS=3", new SmmuFeatures(), Command.Sync(SyncCompletion.SIG_NONE).With(CommandLayouts.Cs, 3) },
        { "CFGI_STE SSec=1", new SmmuFeatures(), Command.CfgiSte(1, true).With(CommandLayouts.SSec, 1) },
        { "CFGI_ALL SSec=1", new SmmuFeatures(), Command.CfgiAll().With(CommandLayouts.SSec, 1) },
        { "CFGI_CD SSec=1", new SmmuFeatures(), Command.CfgiCd(1, 0, true).With(CommandLayouts.SSec, 1) },
        { "PREFETCH_CONFIG SSec=1", new SmmuFeatures(), Command.PrefetchConfig(1).With(CommandLayouts.SSec, 1) },
        { "RESUME SSec=1", new SmmuFeatures { StallModel = 0 }, Command.Resume(1, 0, ResumeAction.Retry).With(CommandLayouts.SSec, 1) },
    };

    [Theory]
    [MemberData(nameof(Unimplemented), DisableDiscoveryEnumeration = true)]
    public void A_command_the_IDRs_do_not_advertise_is_CERROR_ILL(string name, SmmuFeatures features, Command command)
    {
        Assert.NotEmpty(name);
        using var bed = new SmmuTestBed(features);
        AssertStops(bed, command);
    }

    public static TheoryData<string, SmmuFeatures, Command> Implemented => new()
    {
        { "EL2_ALL with HYP", new SmmuFeatures { Hyp = true }, Command.TlbiEl2All() },
        { "EL2_VA with HYP", new SmmuFeatures { Hyp = true }, Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VA, 0, 1, 0x1000, true, tg: 1, num: 3) },
        { "PRI_RESP with PRI", new SmmuFeatures { Pri = true }, Command.PriResp(1, 3, true, 0x1FF, PriResponse.Deny) },
        { "RESUME with stall", new SmmuFeatures { StallModel = 0 }, Command.Resume(1, 7, ResumeAction.Abort) },
        { "STALL_TERM with stall", new SmmuFeatures { StallModel = 0 }, new Command((ulong)Opcode.CMD_STALL_TERM | CommandLayouts.Sid.Make(1), 0) },
        { "NH_VA single without RIL", new SmmuFeatures { RangeInvalidation = false }, Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 1, 0x1000, true) },
        { "ASID 0xFF without ASID16", new SmmuFeatures { Asid16 = false }, Command.TlbiNhAsid(0, 0xFF) },
        { "CFGI_CD large SSID", new SmmuFeatures(), Command.CfgiCd(1, 0xF_FFFF, true) },
        { "PREFETCH_CONFIG large SSID", new SmmuFeatures(), Command.PrefetchConfig(1).With(CommandLayouts.Ssv, 1).With(CommandLayouts.Ssid, 0xA_5A5A) },
        { "ATC_INV large SSID", new SmmuFeatures(), Command.AtcInv(1, 0xF_F000, true, 0x10_0000, 4) },
        { "ATC_INV size 52", new SmmuFeatures(), Command.AtcInv(1, 0, false, 0, 52, global: true) },
        { "PRI_RESP PRGIndex 0x80", new SmmuFeatures { Pri = true }, Command.PriResp(1, 0, false, 0x80, PriResponse.Success) },
        { "CMD_SYNC MSI address bit 7", new SmmuFeatures(), Command.Sync(SyncCompletion.SIG_IRQ, SmmuTestBed.MsiTarget + 0x80, 5) },
        { "CMD_SYNC MSIAttr 0xF", new SmmuFeatures(), Command.Sync(SyncCompletion.SIG_NONE, msiAttr: 0xF, msh: 3) },
        { "CFGI_STE StreamID 0xFFFFFFFF", new SmmuFeatures(), Command.CfgiSte(0xFFFF_FFFF, false) },
    };

    [Theory]
    [MemberData(nameof(Implemented), DisableDiscoveryEnumeration = true)]
    public void Commands_with_legal_fields_are_accepted(string name, SmmuFeatures features, Command command)
    {
        Assert.NotEmpty(name);
        using var bed = new SmmuTestBed(features);
        AssertAccepted(bed, command);
    }

    [Theory]
    [InlineData(ConsumptionMode.Inline)]
    [InlineData(ConsumptionMode.FreeRunning)]
    public void After_an_error_software_fixes_the_command_acknowledges_and_consumption_resumes(ConsumptionMode mode)
    {
        using var bed = new SmmuTestBed(mode: mode);
        bed.WriteSte(5, StructureImages.Bypass());
        bed.Run(Command.CfgiSte(5, true));
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(5, 0x1000).Outcome);
        bed.WriteSte(5, StructureImages.Abort());

        var bad = bed.Prod;
        bed.Put(new Command(0x77, 0));
        bed.Put(Command.CfgiSte(5, true));
        bed.Put(Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(CommandError.CERROR_ILL, bed.Publish());
        Assert.Equal(bad, bed.Cons);
        Assert.NotEqual(0u, bed.Mmio.Read32(SmmuRegister.GERROR) & GError.CMDQ_ERR);

        // Nothing after the failing command ran, and more PROD writes do not restart the queue.
        Assert.Equal(TransactionOutcome.Bypassed, bed.Read(5, 0x1000).Outcome);
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
        Thread.Sleep(mode == ConsumptionMode.FreeRunning ? 20 : 0);
        Assert.Equal(bad, bed.Cons);

        bed.Overwrite(bad, Command.Sync(SyncCompletion.SIG_NONE));
        bed.AcknowledgeErrors();
        Assert.Equal(CommandError.CERROR_NONE, bed.WaitForConsumer());
        Assert.Equal(bed.Prod, bed.Cons);
        Assert.Equal(0u, bed.ActiveErrors);
        Assert.Equal(CommandError.CERROR_NONE, bed.ConsError);
        Assert.Equal(TransactionOutcome.Aborted, bed.Read(5, 0x1000).Outcome);
    }

    [Fact]
    public void Acknowledging_without_fixing_fails_again_on_the_same_command()
    {
        using var bed = new SmmuTestBed();
        var at = bed.Prod;
        bed.Put(new Command(0x77, 0));
        Assert.Equal(CommandError.CERROR_ILL, bed.Publish());
        bed.AcknowledgeErrors();
        Assert.Equal(CommandError.CERROR_ILL, bed.WaitForConsumer());
        Assert.Equal(at, bed.Cons);
        Assert.Equal(2, bed.Device.Statistics.CommandErrors);
    }

    [Fact]
    public void A_command_queue_in_unbacked_memory_is_CERROR_ABT()
    {
        using var bed = new SmmuTestBed();
        bed.WriteCr0(0);
        bed.Mmio.Write64(SmmuRegister.CMDQ_BASE, QueueBase.ADDR.InsertAddress(0, SmmuTestBed.Unbacked) | QueueBase.LOG2SIZE.Make(SmmuTestBed.CmdqLog2));
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, 0);
        bed.Mmio.Write32(SmmuRegister.CMDQ_CONS, 0);
        bed.WriteCr0((uint)Cr0.CMDQEN.Make(1));
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, 1);
        Assert.Equal(CommandError.CERROR_ABT, bed.ConsError);
        Assert.Equal(0u, bed.Cons);
        Assert.NotEqual(0u, bed.ActiveErrors & GError.CMDQ_ERR);
    }

    [Fact]
    public void The_command_queue_consumes_nothing_while_CMDQEN_is_clear()
    {
        using var bed = new SmmuTestBed();
        bed.ClearCr0(Cr0.CMDQEN);
        bed.Put(Command.TlbiNsnhAll());
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
        Assert.NotEqual(bed.Prod, bed.Cons);
        bed.SetCr0(Cr0.CMDQEN);
        Assert.Equal(bed.Prod, bed.Cons);
    }

    [Fact]
    public void A_non_responding_endpoint_makes_the_next_CMD_SYNC_fail_with_CERROR_ATC_INV_SYNC()
    {
        using var bed = new SmmuTestBed();
        var ep = new Endpoint("hung", [1], bed.Memory, new EndpointOptions { AtsCapable = true, RespondsToInvalidation = false });
        bed.Device.Connect(ep);

        var inv = bed.Prod;
        bed.Put(Command.AtcInv(1, 0, false, 0, 52));
        var sync = bed.Prod;
        bed.Put(Command.Sync(SyncCompletion.SIG_NONE));
        Assert.Equal(CommandError.CERROR_ATC_INV_SYNC, bed.Publish());
        Assert.Equal(sync, bed.Cons); // CONS stays on the CMD_SYNC, after the ATC_INV
        Assert.NotEqual(inv, bed.Cons);
        Assert.Equal(1, ep.AtcInvalidationsReceived);

        // The function recovers; software acknowledges and the CMD_SYNC is retried.
        ep.RespondsToInvalidation = true;
        bed.AcknowledgeErrors();
        Assert.Equal(CommandError.CERROR_NONE, bed.WaitForConsumer());
        Assert.Equal(bed.Prod, bed.Cons);
        bed.Run(Command.AtcInv(1, 0, false, 0, 52));
        Assert.Equal(2, ep.AtcInvalidationsReceived);
    }

    [Fact]
    public void ATC_INV_to_a_StreamID_with_no_endpoint_completes()
    {
        using var bed = new SmmuTestBed();
        bed.Run(Command.AtcInv(9, 0, false, 0x1000, 0));
    }

    [Fact]
    public void Random_commands_never_crash_and_never_lose_state()
    {
        using var bed = new SmmuTestBed(new SmmuFeatures { Hyp = true, Pri = true, StallModel = 0 });
        var ep = new Endpoint("ep", [1], bed.Memory, new EndpointOptions { AtsCapable = true });
        bed.Device.Connect(ep);
        bed.ConfigureStage1(2);
        bed.MapS1(0x1000, SmmuTestBed.Data);
        var random = new Random(1234);
        var opcodes = CommandLayouts.All.Select(o => (byte)o).Append((byte)0x99).ToArray();
        var errors = 0;
        for (var i = 0; i < 600; i++)
        {
            var op = opcodes[random.Next(opcodes.Length)];
            var dw0 = (ulong)random.NextInt64() & ~0xFFUL;
            var dw1 = (ulong)random.NextInt64();
            if (op == (byte)Opcode.CMD_SYNC)
            {
                dw1 = 0; // no MSI writes to random addresses
            }

            var at = bed.Prod;
            bed.Put(new Command(dw0 | op, dw1));
            var error = bed.Publish();
            if (error != CommandError.CERROR_NONE)
            {
                errors++;
                Assert.Equal(CommandError.CERROR_ILL, error);
                Assert.Equal(at, bed.Cons);
                bed.Overwrite(at, Command.Sync(SyncCompletion.SIG_NONE));
                bed.AcknowledgeErrors();
                Assert.Equal(CommandError.CERROR_NONE, bed.WaitForConsumer());
            }
        }

        Assert.InRange(errors, 100, 599);
        Assert.Equal(0u, bed.ActiveErrors);
        bed.Run(Command.CfgiAll(), Command.TlbiNsnhAll());
        Assert.Equal(SmmuTestBed.Data, bed.Read(2, 0x1000).PhysicalAddress);
        Assert.Equal(bed.Prod, bed.Cons);
    }

    [Fact]
    public void Commands_are_ignored_by_ATC_and_PRI_while_SMMUEN_is_clear()
    {
        using var bed = new SmmuTestBed();
        var ep = new Endpoint("hung", [1], bed.Memory, new EndpointOptions { AtsCapable = true, RespondsToInvalidation = false });
        bed.Device.Connect(ep);
        bed.ClearCr0(Cr0.SMMUEN);
        bed.Run(Command.AtcInv(1, 0, false, 0, 52));
        Assert.Equal(0, ep.AtcInvalidationsReceived);
    }

    [Fact]
    public void GERROR_CMDQ_ERR_raises_the_global_error_interrupt()
    {
        using var bed = new SmmuTestBed();
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        AssertStops(bed, new Command(0x99, 0));
        Assert.Equal(1, bed.Signals.Count(SmmuInterrupt.GlobalError));
    }

    [Fact]
    public void GERROR_MSI_writes_the_configured_data()
    {
        // An MSI-only SMMU: one with wired lines would also pulse the GERROR line (3.18.2).
        using var bed = new SmmuTestBed(new SmmuFeatures { WiredInterrupts = false });
        bed.ProgramGerrorMsi(SmmuTestBed.MsiTarget, 0xCAFE);
        AssertStops(bed, new Command(0x99, 0));
        Assert.Equal(0xCAFEu, bed.Memory.Read32(SmmuTestBed.MsiTarget));
        Assert.Equal(0, bed.Signals.Count(SmmuInterrupt.GlobalError));
    }

    [Fact]
    public void A_GERROR_MSI_to_unbacked_memory_sets_MSI_GERROR_ABT_ERR()
    {
        using var bed = new SmmuTestBed();
        bed.Mmio.Write64(SmmuRegister.GERROR_IRQ_CFG0, SmmuTestBed.Unbacked);
        bed.Mmio.Write32(SmmuRegister.IRQ_CTRL, (uint)IrqCtrl.GERROR_IRQEN.Make(1));
        AssertStops(bed, new Command(0x99, 0));
        Assert.Equal(GError.CMDQ_ERR | GError.MSI_GERROR_ABT_ERR, bed.ActiveErrors);
    }

    [Fact]
    public void No_global_error_interrupt_without_GERROR_IRQEN()
    {
        using var bed = new SmmuTestBed();
        AssertStops(bed, new Command(0x99, 0));
        Assert.Equal(0, bed.Signals.Count(SmmuInterrupt.GlobalError));
    }

    [Fact]
    public void An_active_error_is_not_toggled_again()
    {
        using var bed = new SmmuTestBed();
        AssertStops(bed, new Command(0x99, 0));
        var gerror = bed.Mmio.Read32(SmmuRegister.GERROR);
        bed.Mmio.Write32(SmmuRegister.CMDQ_PROD, bed.Prod);
        Assert.Equal(gerror, bed.Mmio.Read32(SmmuRegister.GERROR));
        bed.Overwrite(bed.Cons, Command.Sync(SyncCompletion.SIG_NONE));
        bed.AcknowledgeErrors();
        bed.Put(new Command(0x99, 0));
        Assert.Equal(CommandError.CERROR_ILL, bed.Publish());
        Assert.Equal(0u, bed.Mmio.Read32(SmmuRegister.GERROR) & GError.CMDQ_ERR); // toggled back: active again
        Assert.Equal(GError.CMDQ_ERR, bed.ActiveErrors);
    }
}
