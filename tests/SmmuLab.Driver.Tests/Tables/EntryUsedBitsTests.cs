using SmmuLab.Driver.Tables;

namespace SmmuLab.Driver.Tests.Tables;

/// <summary>Used and update-safe masks against values worked out by hand from reference §2.3 and §3.5.</summary>
public sealed class EntryUsedBitsTests
{
    // dw0: V, Config [3:1], S1Fmt [5:4], S1ContextPtr [51:6], S1CDMax [63:59].
    private const ulong S1Dw0 = 0xF80F_FFFF_FFFF_FFFF;

    // dw1: S1DSS, S1CIR, S1COR, S1CSH [7:0], MEV [19], S1STALLD [27], EATS [29:28], STRW [31:30].
    private const ulong S1Dw1 = 0xF808_00FF;

    // dw1: S2FWB [25], EATS [29:28], SHCFG [45:44], MEV [19].
    private const ulong S2Dw1 = 0x0000_3000_3208_0000;

    // dw2: S2VMID [15:0], VTCR [50:32], S2AA64 [51], S2ENDI [52], S2PTW [54], S2S [57], S2R [58].
    private const ulong S2Dw2 = 0x065F_FFFF_0000_FFFF;

    private const ulong Shcfg = 0x0000_3000_0000_0000;

    [Theory]
    [InlineData(0x0UL, 0x1UL, 0UL, 0UL, 0UL)] // V = 0: only V
    [InlineData(0x1UL, 0xFUL, 0UL, 0UL, 0UL)] // abort
    [InlineData(0x9UL, 0xFUL, Shcfg, 0UL, 0UL)] // bypass
    [InlineData(0xBUL, S1Dw0, S1Dw1, 0xFFFFUL, 0UL)] // S1, S1DSS terminate
    [InlineData(0xDUL, 0xFUL, S2Dw1, S2Dw2, 0x000F_FFFF_FFFF_FFF0UL)] // S2
    [InlineData(0xFUL, S1Dw0, S1Dw1 | S2Dw1, S2Dw2, 0x000F_FFFF_FFFF_FFF0UL)] // nested
    public void STE_used_bits_follow_the_config(ulong dw0, ulong used0, ulong used1, ulong used2, ulong used3)
    {
        var used = new ulong[8];
        EntryUsedBits.GetSteUsed([dw0, 0, 0, 0, 0, 0, 0, 0], used);
        Assert.Equal([used0, used1, used2, used3, 0, 0, 0, 0], used);
    }

    [Fact]
    public void STE_S1DSS_bypass_uses_SHCFG()
    {
        var used = new ulong[8];
        EntryUsedBits.GetSteUsed([0xB, 0x1, 0, 0, 0, 0, 0, 0], used);
        Assert.Equal(S1Dw1 | Shcfg, used[1]);
    }

    [Fact]
    public void STE_used_ignores_stale_contents()
    {
        var used = new ulong[8];
        used.AsSpan().Fill(ulong.MaxValue);
        EntryUsedBits.GetSteUsed([0x0, ulong.MaxValue, ulong.MaxValue, 0, 0, 0, 0, 0], used);
        Assert.Equal([1UL, 0, 0, 0, 0, 0, 0, 0], used);
    }

    [Theory]
    [InlineData(0x1000_0000UL, 0UL, 0UL, 0UL, 0x1008_0000UL)] // EATS 1 -> 0: EATS bit 28 and MEV safe
    [InlineData(0x1000_0000UL, 0UL, 0UL, 1UL << 57, 0x0008_0000UL)] // target stalls (S2S): EATS not safe
    [InlineData(0x2000_0000UL, 0UL, 0UL, 0UL, 0x0008_0000UL)] // current EATS = S1CHK: not safe
    [InlineData(0UL, 0x3000_0000UL, 0UL, 0UL, 0x0008_0000UL)] // target EATS = 3 has the S1CHK bit
    public void Only_an_EATS_change_from_1_to_0_without_stalls_is_update_safe(ulong cur1, ulong tgt1, ulong cur2, ulong tgt2, ulong safe1)
    {
        var safe = new ulong[8];
        safe.AsSpan().Fill(ulong.MaxValue);
        EntryUsedBits.GetSteUpdateSafe([0xD, cur1, cur2, 0, 0, 0, 0, 0], [0xD, tgt1, tgt2, 0, 0, 0, 0, 0], safe);
        Assert.Equal([0UL, safe1, 0, 0, 0, 0, 0, 0], safe);
    }

    [Fact]
    public void Invalid_CD_uses_only_v()
    {
        var used = new ulong[8];
        EntryUsedBits.GetCdUsed([0x7FFF_FFFF, ulong.MaxValue, 0, 0, 0, 0, 0, 0], used);
        Assert.Equal([0x8000_0000UL, 0, 0, 0, 0, 0, 0, 0], used);
    }

    [Fact]
    public void Valid_CD_uses_everything()
    {
        var used = new ulong[8];
        EntryUsedBits.GetCdUsed([0x8000_0000, 0, 0, 0, 0, 0, 0, 0], used);
        Assert.All(used, q => Assert.Equal(ulong.MaxValue, q));
    }

    [Fact]
    public void CD_with_epd0_ignores_ttb0_and_its_walk_controls()
    {
        var used = new ulong[8];
        EntryUsedBits.GetCdUsed([0x8000_4000, 0, 0, 0, 0, 0, 0, 0], used);

        // T0SZ, TG0, IR0, OR0, SH0 are dw0 [13:0]; TTB0 is dw1 [51:4].
        Assert.Equal(
            [0xFFFF_FFFF_FFFF_C000UL, 0xFFF0_0000_0000_000F, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue],
            used);
    }
}
