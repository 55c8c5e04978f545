using SmmuLab.Architecture.ContextDescriptors;
using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Architecture.Tests.StreamTable;

public class SteTests
{
    [Theory]
    [InlineData(0u, "abort", false, false)]
    [InlineData(1u, "abort", false, false)]
    [InlineData(4u, "bypass", false, false)]
    [InlineData(5u, "s1-trans", true, false)]
    [InlineData(6u, "s2-trans", false, true)]
    [InlineData(7u, "nested", true, true)]
    public void Config_meanings(uint config, string name, bool s1, bool s2)
    {
        Assert.Equal(name, SteConfig.Name(config));
        Assert.Equal(s1, SteConfig.HasStage1(config));
        Assert.Equal(s2, SteConfig.HasStage2(config));
    }

    [Fact]
    public void Fields_land_where_linux_puts_them()
    {
        var ste = new ulong[Ste.Dwords];
        Ste.V.Set(ste, 1);
        Ste.Config.Set(ste, SteConfig.S1Translate);
        Ste.S1ContextPtr.SetPresented(ste, 0x0000_0080_1234_5640UL);
        Ste.S1CDMax.Set(ste, 20);
        Ste.S2VMID.Set(ste, 0xBEEF);
        Ste.S2TTB.SetPresented(ste, 0x000F_FFFF_FFFF_FFF0UL);
        Assert.Equal(0xA000_0080_1234_564BUL, ste[0]); // STRTAB_STE_0_V | CFG [3:1] | S1CTXPTR [51:6] | S1CDMAX [63:59]
        Assert.Equal(0xBEEFUL, ste[2]);
        Assert.Equal(0x000F_FFFF_FFFF_FFF0UL, ste[3]);
    }

    [Fact]
    public void CD_fields_land_where_linux_puts_them()
    {
        var cd = new ulong[Cd.Dwords];
        Cd.T0SZ.Set(cd, 16);
        Cd.TG0.Set(cd, 0);
        Cd.EPD1.Set(cd, 1);
        Cd.V.Set(cd, 1);
        Cd.IPS.Set(cd, 5);
        Cd.AA64.Set(cd, 1);
        Cd.ASID.Set(cd, 0x1234);
        Cd.TTB0.SetPresented(cd, 0x0000_0001_0000_0000UL);
        Assert.Equal(0x1234_0205_C000_0010UL, cd[0]);
        Assert.Equal(0x0000_0001_0000_0000UL, cd[1]);
    }
}
