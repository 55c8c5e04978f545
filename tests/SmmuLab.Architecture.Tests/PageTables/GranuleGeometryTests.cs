using SmmuLab.Architecture.PageTables;

namespace SmmuLab.Architecture.Tests.PageTables;

public class GranuleGeometryTests
{
    [Theory]
    [InlineData(Granule.Size4K, 12, 4096UL, 9)]
    [InlineData(Granule.Size16K, 14, 16384UL, 11)]
    [InlineData(Granule.Size64K, 16, 65536UL, 13)]
    public void Size_and_stride(Granule g, int shift, ulong bytes, int stride)
    {
        Assert.Equal(shift, g.Shift());
        Assert.Equal(bytes, g.Bytes());
        Assert.Equal(stride, g.Stride());
    }

    [Theory]
    [InlineData(Granule.Size4K, new[] { 39, 30, 21, 12 })]
    [InlineData(Granule.Size16K, new[] { 47, 36, 25, 14 })]
    [InlineData(Granule.Size64K, new[] { 55, 42, 29, 16 })]
    public void Level_shifts(Granule g, int[] shifts)
    {
        for (var level = 0; level <= 3; level++)
        {
            Assert.Equal(shifts[level], g.LevelShift(level));
        }
    }

    [Theory]
    [InlineData(Granule.Size4K, 48, 0)]
    [InlineData(Granule.Size4K, 39, 1)]
    [InlineData(Granule.Size4K, 40, 0)]
    [InlineData(Granule.Size4K, 32, 1)]
    [InlineData(Granule.Size4K, 30, 2)]
    [InlineData(Granule.Size16K, 48, 0)]
    [InlineData(Granule.Size16K, 47, 1)]
    [InlineData(Granule.Size16K, 36, 2)]
    [InlineData(Granule.Size64K, 48, 1)]
    [InlineData(Granule.Size64K, 52, 1)]
    [InlineData(Granule.Size64K, 42, 2)]
    [InlineData(Granule.Size64K, 43, 1)]
    public void Start_levels(Granule g, int inputBits, int level) => Assert.Equal(level, g.StartLevel(inputBits));

    [Fact]
    public void Block_levels()
    {
        Assert.True(Granule.Size4K.BlockAllowed(1));
        Assert.True(Granule.Size4K.BlockAllowed(2));
        Assert.False(Granule.Size4K.BlockAllowed(3));
        Assert.False(Granule.Size16K.BlockAllowed(1));
        Assert.True(Granule.Size16K.BlockAllowed(2));
        Assert.False(Granule.Size64K.BlockAllowed(1));
        Assert.True(Granule.Size64K.BlockAllowed(1, oas52: true));
        Assert.True(Granule.Size64K.BlockAllowed(2));
    }

    [Theory]
    [InlineData(0u, Granule.Size4K)]
    [InlineData(1u, Granule.Size64K)]
    [InlineData(2u, Granule.Size16K)]
    public void Tg0_encoding(uint tg, Granule g)
    {
        Assert.Equal(g, GranuleGeometry.FromTg0(tg));
        Assert.Equal(tg, g.ToTg0());
    }

    [Theory]
    [InlineData(1u, Granule.Size16K)]
    [InlineData(2u, Granule.Size4K)]
    [InlineData(3u, Granule.Size64K)]
    public void Tg1_encoding(uint tg, Granule g)
    {
        Assert.Equal(g, GranuleGeometry.FromTg1(tg));
        Assert.Equal(tg, g.ToTg1());
    }

    [Theory]
    [InlineData(1u, Granule.Size4K)]
    [InlineData(2u, Granule.Size16K)]
    [InlineData(3u, Granule.Size64K)]
    public void TLBI_TG_encoding(uint tg, Granule g)
    {
        Assert.Equal(g, GranuleGeometry.FromTlbiTg(tg));
        Assert.Equal(tg, g.ToTlbiTg());
    }

    [Fact]
    public void Reserved_TG_encodings_have_no_granule()
    {
        Assert.Null(GranuleGeometry.FromTg0(3));
        Assert.Null(GranuleGeometry.FromTg1(0));
        Assert.Null(GranuleGeometry.FromTlbiTg(0));
    }
}

public class AddressSizeTests
{
    [Theory]
    [InlineData(0u, 32)]
    [InlineData(1u, 36)]
    [InlineData(2u, 40)]
    [InlineData(3u, 42)]
    [InlineData(4u, 44)]
    [InlineData(5u, 48)]
    [InlineData(6u, 52)]
    [InlineData(7u, 56)]
    public void Address_size_encodings_round_trip_to_bits(uint encoding, int bits)
    {
        Assert.Equal(bits, AddressSize.ToBits(encoding));
        Assert.Equal(encoding, AddressSize.FromBits(bits));
    }

    [Fact]
    public void Only_the_low_three_bits_count() => Assert.Equal(48, AddressSize.ToBits(0b1101));

    [Theory]
    [InlineData(47)]
    [InlineData(64)]
    [InlineData(0)]
    public void Sizes_without_an_encoding_throw(int bits) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AddressSize.FromBits(bits));
}

public class DescriptorTests
{
    [Fact]
    public void Sixty_four_k_page_with_a_52_bit_PA_round_trips()
    {
        const ulong pa = 0x000F_1234_5678_0000UL;
        var bits = Descriptor.EncodeAddress(pa, Granule.Size64K);
        Assert.Equal(0x0000_1234_5678_F000UL, bits); // PA[51:48] in descriptor bits [15:12]
        var desc = bits | Descriptor.TypePage | Descriptor.AccessFlag;
        Assert.Equal(pa, Descriptor.OutputAddress(desc, Granule.Size64K, 3, isTable: false));
        Assert.Equal(pa, Descriptor.OutputAddress(desc, Granule.Size64K, 1, isTable: true));
    }

    [Fact]
    public void Sixty_four_k_block_is_aligned_to_its_level()
    {
        const ulong pa = 0x000A_0000_2000_0000UL; // 512 MiB aligned
        var desc = Descriptor.EncodeAddress(pa, Granule.Size64K) | Descriptor.TypeBlock | (0x1FFFUL << 16);
        Assert.Equal(pa, Descriptor.OutputAddress(desc, Granule.Size64K, 2, isTable: false));
    }

    [Fact]
    public void Four_k_keeps_bits_15_to_12_as_address_bits()
    {
        const ulong pa = 0x0000_8000_1234_F000UL;
        var desc = Descriptor.EncodeAddress(pa, Granule.Size4K) | Descriptor.TypePage;
        Assert.Equal(pa, Descriptor.OutputAddress(desc, Granule.Size4K, 3, isTable: false));
        Assert.Equal(0x0000_8000_1220_0000UL, Descriptor.OutputAddress(desc, Granule.Size4K, 2, isTable: false));
        Assert.Equal(0UL, Descriptor.EncodeAddress(0x000F_0000_0000_0000UL, Granule.Size4K));
    }

    [Fact]
    public void Attribute_fields()
    {
        const ulong desc = 0x0040_0000_8000_0F43UL;
        Assert.Equal(0UL, Descriptor.AttrIndx.Get(desc));
        Assert.Equal(1UL, Descriptor.AP.Get(desc));
        Assert.Equal(3UL, Descriptor.SH.Get(desc));
        Assert.True(Descriptor.AF.IsSet(desc));
        Assert.True(Descriptor.nG.IsSet(desc));
        Assert.True(Descriptor.UXN.IsSet(desc));
        Assert.False(Descriptor.Layout.HasReservedBitsSet([desc]));
    }
}
