using SmmuLab.Architecture.Bits;

namespace SmmuLab.Architecture.Tests.Bits;

public class FieldTests
{
    private static readonly Field Mid = new("mid", 0, 12, 5);
    private static readonly Field Full = new("full", 2, 0, 64);
    private static readonly Field Ptr = new("ptr", 1, 6, 50, FieldKind.Address);

    [Fact]
    public void Masks_and_bounds()
    {
        Assert.Equal(16, Mid.Hi);
        Assert.Equal(0x1FUL, Mid.ValueMask);
        Assert.Equal(0x1F000UL, Mid.InPlaceMask);
        Assert.Equal(ulong.MaxValue, Full.ValueMask);
        Assert.Equal(ulong.MaxValue, Full.InPlaceMask);
        Assert.Equal(0x00FF_FFFF_FFFF_FFC0UL, Ptr.InPlaceMask);
    }

    [Fact]
    public void Get_extracts_right_aligned()
    {
        Assert.Equal(0x15UL, Mid.Get(0xFFFF_FFFF_FFF5_5FFFUL));
        Assert.Equal(0x15UL, Mid.Get([0x15000UL]));
        Assert.Equal(0xDEAD_BEEF_0000_0001UL, Full.Get([0, 0, 0xDEAD_BEEF_0000_0001UL]));
    }

    [Fact]
    public void Insert_replaces_only_the_field_and_truncates()
    {
        Assert.Equal(0xFFFF_FFFF_FFFE_AFFFUL, Mid.Insert(ulong.MaxValue, 0x0A));
        Assert.Equal(0x1F000UL, Mid.Insert(0, 0xFFFF));
        Assert.Equal(0x3000UL, Mid.Make(3));
        Assert.Equal(ulong.MaxValue, Full.Insert(0, ulong.MaxValue));
    }

    [Fact]
    public void Set_writes_the_right_dword()
    {
        var dw = new ulong[3];
        Ptr.Set(dw, 1);
        Assert.Equal([0UL, 0x40UL, 0UL], dw);
    }

    [Fact]
    public void IsSet_and_Fits()
    {
        Assert.True(Mid.IsSet(0x1000));
        Assert.False(Mid.IsSet(0xFFF));
        Assert.True(Mid.IsSet([0x10000UL]));
        Assert.True(Mid.Fits(31));
        Assert.False(Mid.Fits(32));
        Assert.True(Full.Fits(ulong.MaxValue));
    }

    [Fact]
    public void Address_fields_read_and_write_in_place()
    {
        const ulong address = 0x0000_1234_5678_9AC0UL;
        var dw1 = Ptr.InsertAddress(0x3F, address);
        Assert.Equal(address | 0x3F, dw1);
        Assert.Equal(address, Ptr.GetAddress(dw1));
        Assert.Equal(address >> 6, Ptr.Get(dw1));

        ulong[] s = [0, dw1];
        Assert.Equal(address, Ptr.GetAddress(s));
        Assert.Equal(address, Ptr.Present(s));
        Assert.Equal(0x1FUL, Mid.Present([0x3F000UL]));

        // Bits outside [55:6] are dropped on insert.
        Assert.Equal(0x40UL, Ptr.InsertAddress(0, 0xFF00_0000_0000_007FUL));
    }

    [Fact]
    public void Presented_values_follow_the_kind()
    {
        var s = new ulong[2];
        Ptr.SetPresented(s, 0x1000);
        Assert.Equal(0x1000UL, s[1]);
        Mid.SetPresented(s, 7);
        Assert.Equal(0x7000UL, s[0]);

        Assert.True(Ptr.FitsPresented(0x00FF_FFFF_FFFF_FFC0UL));
        Assert.False(Ptr.FitsPresented(0x20)); // below bit 6: misaligned
        Assert.False(Ptr.FitsPresented(1UL << 56)); // above bit 55
        Assert.True(Mid.FitsPresented(31));
        Assert.False(Mid.FitsPresented(32));
    }

    [Fact]
    public void ToString_uses_absolute_bit_numbers()
    {
        Assert.Equal("mid[16:12]", Mid.ToString());
        Assert.Equal("ptr[119:70]", Ptr.ToString());
        Assert.Equal("v[3]", new Field("v", 0, 3, 1).ToString());
    }
}
