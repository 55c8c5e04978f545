using SmmuLab.Architecture.Commands;

namespace SmmuLab.Architecture.Tests.Commands;

/// <summary>The factory methods against the field table of linux-smmuv3-invalidation.md §5.2 and IHI0070 4.x.</summary>
public class CommandTests
{
    public static TheoryData<string, Command, ulong, ulong> Factories() => new()
    {
        // PREFETCH_CFG: SID [63:32].
        { "PrefetchConfig", Command.PrefetchConfig(0x1234), 0x0000_1234_0000_0001UL, 0 },

        // CFGI_STE: SID [63:32] | LEAF [0].
        { "CfgiSte leaf", Command.CfgiSte(0xABCD, true), 0x0000_ABCD_0000_0003UL, 1 },
        { "CfgiSte", Command.CfgiSte(7, false), 0x0000_0007_0000_0003UL, 0 },

        // CFGI_STE_RANGE: SID | RANGE [4:0]; CFGI_ALL = range 31.
        { "CfgiSteRange", Command.CfgiSteRange(0x100, 7), 0x0000_0100_0000_0004UL, 7 },
        { "CfgiAll", Command.CfgiAll(), 0x4UL, 31 },

        // CFGI_CD: SSID [31:12], SID [63:32] | LEAF [0].
        { "CfgiCd", Command.CfgiCd(3, 0x42, true), 0x0000_0003_0004_2005UL, 1 },
        { "CfgiCdAll", Command.CfgiCdAll(0xFFFF_FFFF), 0xFFFF_FFFF_0000_0006UL, 0 },

        // TLBI_NH_ALL, TLBI_S12_VMALL: VMID [47:32]; TLBI_NH_ASID adds ASID [63:48]; TLBI_EL2_ASID: ASID only.
        { "TlbiNhAll", Command.TlbiNhAll(0x1234), 0x0000_1234_0000_0010UL, 0 },
        { "TlbiNhAsid", Command.TlbiNhAsid(1, 0xBEEF), 0xBEEF_0001_0000_0011UL, 0 },
        { "TlbiEl2All", Command.TlbiEl2All(), 0x20UL, 0 },
        { "TlbiEl2Asid", Command.TlbiEl2Asid(7), 0x0007_0000_0000_0021UL, 0 },
        { "TlbiS12Vmall", Command.TlbiS12Vmall(0xFFFF), 0x0000_FFFF_0000_0028UL, 0 },
        { "TlbiNsnhAll", Command.TlbiNsnhAll(), 0x30UL, 0 },

        // TLBI_NH_VA: NUM [16:12], SCALE [24:20], VMID [47:32], ASID [63:48] | LEAF [0], TTL [9:8], TG [11:10], VA [63:12].
        {
            "TlbiNhVa", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, vmid: 2, asid: 1, address: 0x1234_5000, leaf: true, tg: 1, ttl: 3, scale: 2, num: 3),
            0x0001_0002_0020_3012UL, 0x0000_0000_1234_5701UL
        },

        // TLBI_EL2_VA: ASID but no VMID.
        {
            "TlbiEl2Va", Command.TlbiByAddress(Opcode.CMD_TLBI_EL2_VA, vmid: 5, asid: 9, address: 0xFFFF_8000_0000_7000, leaf: true),
            0x0009_0000_0000_0022UL, 0xFFFF_8000_0000_7001UL
        },

        // TLBI_NH_VAA: VMID but no ASID.
        {
            "TlbiNhVaa", Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VAA, vmid: 5, asid: 9, address: 0x8000, leaf: false, tg: 3, ttl: 2, scale: 1, num: 1),
            0x0000_0005_0010_1013UL, 0x0000_0000_0000_8E00UL
        },

        // TLBI_S2_IPA: NUM, SCALE, VMID | LEAF, TTL, TG, IPA [55:12].
        {
            "TlbiS2Ipa", Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, vmid: 3, asid: 9, address: 0x00FF_FFFF_FFFF_F000, leaf: true),
            0x0000_0003_0000_002AUL, 0x00FF_FFFF_FFFF_F001UL
        },

        // ATC_INV: GLOBAL [9], SSV [11], SSID [31:12], SID [63:32] | SIZE [5:0], ADDR [63:12].
        { "AtcInv", Command.AtcInv(0x20, 1, true, 0x4000, 52, global: true), 0x0000_0020_0000_1A40UL, 0x4034UL },

        // PRI_RESP: SSV [11], SSID [31:12], SID [63:32] | GRPID [8:0], RESP [13:12].
        { "PriResp", Command.PriResp(2, 3, true, 0x1FF, PriResponse.Success), 0x0000_0002_0000_3841UL, 0x21FFUL },

        // RESUME: Ac [12], Ab [13] (Linux RESP [13:12]: TERM 0, RETRY 1, ABORT 2), SID [63:32] | STAG [15:0].
        { "Resume term", Command.Resume(4, 0xABCD, ResumeAction.Term), 0x0000_0004_0000_0044UL, 0xABCDUL },
        { "Resume retry", Command.Resume(4, 0xABCD, ResumeAction.Retry), 0x0000_0004_0000_1044UL, 0xABCDUL },
        { "Resume abort", Command.Resume(4, 0xABCD, ResumeAction.Abort), 0x0000_0004_0000_2044UL, 0xABCDUL },

        // CMD_SYNC: CS [13:12], MSH [23:22], MSIATTR [27:24], MSIDATA [63:32] | MSIADDR [55:2].
        { "Sync irq", Command.Sync(SyncCompletion.SIG_IRQ, 0x1000, 0), 0x1046UL, 0x1000UL },
        { "Sync sev", Command.Sync(SyncCompletion.SIG_SEV), 0x2046UL, 0 },
        {
            "Sync full", Command.Sync(SyncCompletion.SIG_IRQ, 0x00FF_FFFF_FFFF_FFFC, 0xDEAD_BEEF, msh: 3, msiAttr: 0xF),
            0xDEAD_BEEF_0FC0_1046UL, 0x00FF_FFFF_FFFF_FFFCUL
        },
    };

    [Theory]
    [MemberData(nameof(Factories))]
    public void Factory_bit_patterns(string name, Command command, ulong dw0, ulong dw1)
    {
        Assert.True(dw0 == command.Dw0, $"{name}: dw0 0x{command.Dw0:x16}, expected 0x{dw0:x16}");
        Assert.True(dw1 == command.Dw1, $"{name}: dw1 0x{command.Dw1:x16}, expected 0x{dw1:x16}");
        Assert.False(CommandLayouts.For(command.Opcode)!.HasReservedBitsSet([command.Dw0, command.Dw1]), $"{name}: reserved bits set");
    }

    [Fact]
    public void Get_and_With_use_the_field_dword()
    {
        var c = Command.CfgiCd(3, 0x42, false).With(CommandLayouts.Leaf, 1).With(CommandLayouts.Ssid, 0x99);
        Assert.Equal(Opcode.CMD_CFGI_CD, c.Opcode);
        Assert.Equal(1UL, c.Get(CommandLayouts.Leaf));
        Assert.Equal(0x99UL, c.Get(CommandLayouts.Ssid));
        Assert.Equal(3UL, c.Get(CommandLayouts.Sid));
    }

    [Fact]
    public void Address_fields_are_in_place()
    {
        var c = Command.Sync(SyncCompletion.SIG_IRQ, 0x8000_0040, 0);
        Assert.Equal(0x8000_0040UL, CommandLayouts.MsiAddr.GetAddress(c.Dw1));
        var ipa = Command.TlbiByAddress(Opcode.CMD_TLBI_S2_IPA, 1, 0, 0x0FFF_FFFF_FFFF_F000, false);
        Assert.Equal(0x00FF_FFFF_FFFF_F000UL, CommandLayouts.Ipa.GetAddress(ipa.Dw1)); // bits above 55 dropped
    }

    [Fact]
    public void Range_fields_reach_their_spec_widths()
    {
        // SCALE is [25:20] (IDR5.DS == 1 makes it six bits); TTL128 is dw1 [7].
        var c = Command.TlbiByAddress(Opcode.CMD_TLBI_NH_VA, 0, 0, 0, false, tg: 1, ttl: 1, scale: 63, num: 31).With(CommandLayouts.Ttl128, 1);
        Assert.Equal(63UL, c.Get(CommandLayouts.Scale));
        Assert.Equal(0x03F1_F012UL, c.Dw0);
        Assert.Equal(0x580UL, c.Dw1);
    }

    [Fact]
    public void ToString_names_the_opcode() =>
        Assert.Equal("CMD_SYNC 0x0000000000001046 0x0000000000001000", Command.Sync(SyncCompletion.SIG_IRQ, 0x1000).ToString());
}
