using SmmuLab.Architecture.PageTables;
using SmmuLab.Driver.PageTables;

namespace SmmuLab.Driver.Tests.PageTables;

public sealed class PteAttributesTests
{
    private static readonly IoPageTableConfig S1 = new(IoPageTableFormat.Stage1, Granule.Size4K, 48, 48, true);
    private static readonly IoPageTableConfig S2 = new(IoPageTableFormat.Stage2, Granule.Size4K, 48, 48, true);

    // Bits: AF 10, nG 11, AP[1] 6 (unpriv), AP[2] 7 (read-only), SH [9:8], AttrIndx [4:2], MemAttr [5:2], XN [54:53].
    [Theory]
    [InlineData(IommuProt.Read | IommuProt.Write, 0x400UL | 0x800 | 0x40 | (2UL << 8))]
    [InlineData(IommuProt.Read, 0x400UL | 0x800 | 0x40 | 0x80 | (2UL << 8))]
    [InlineData(IommuProt.Write, 0x400UL | 0x800 | 0x40 | (2UL << 8))]
    [InlineData(IommuProt.Read | IommuProt.Write | IommuProt.Cache, 0x400UL | 0x800 | 0x40 | (3UL << 8) | (1UL << 2))]
    [InlineData(IommuProt.Read | IommuProt.Mmio, 0x400UL | 0x800 | 0x40 | 0x80 | (2UL << 8) | (2UL << 2))]
    [InlineData(IommuProt.Read | IommuProt.Priv | IommuProt.NoExec, 0x400UL | 0x800 | 0x80 | (2UL << 8) | (3UL << 53))]
    [InlineData(IommuProt.Read | IommuProt.Cache | IommuProt.Mmio, 0x400UL | 0x800 | 0x40 | 0x80 | (3UL << 8) | (2UL << 2))]
    public void Stage1_leaf_bits(IommuProt prot, ulong expected) => Assert.Equal(expected, PteAttributes.Leaf(prot, S1));

    [Theory]
    [InlineData(IommuProt.Read | IommuProt.Write, 0x400UL | 0xC0 | (2UL << 8) | (5UL << 2))]
    [InlineData(IommuProt.Read, 0x400UL | 0x40 | (2UL << 8) | (5UL << 2))]
    [InlineData(IommuProt.Write | IommuProt.Cache, 0x400UL | 0x80 | (3UL << 8) | (0xFUL << 2))]
    [InlineData(IommuProt.Read | IommuProt.Mmio | IommuProt.NoExec | IommuProt.Priv, 0x400UL | 0x40 | (2UL << 8) | (1UL << 2) | (3UL << 53))]
    public void Stage2_leaf_bits(IommuProt prot, ulong expected) => Assert.Equal(expected, PteAttributes.Leaf(prot, S2));

    [Fact]
    public void Quirks_change_the_bits_linux_changes()
    {
        var fwb = new IoPageTableConfig(IoPageTableFormat.Stage2, Granule.Size4K, 48, 48, true, IoPageTableQuirks.S2Fwb);
        Assert.Equal(6UL, Descriptor.MemAttr.Get(PteAttributes.Leaf(IommuProt.Read | IommuProt.Cache, fwb)));
        Assert.Equal(5UL, Descriptor.MemAttr.Get(PteAttributes.Leaf(IommuProt.Read, fwb)));

        var ns = new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, 48, true, IoPageTableQuirks.NonSecure);
        Assert.True(Descriptor.NS.IsSet(PteAttributes.Leaf(IommuProt.Read, ns)));
        Assert.Equal(3UL | (1UL << 63), PteAttributes.Table(ns));
        Assert.Equal(3UL, PteAttributes.Table(S1));

        var hd = new IoPageTableConfig(IoPageTableFormat.Stage1, Granule.Size4K, 48, 48, true, IoPageTableQuirks.HardwareDirty);
        Assert.True(Descriptor.DBM.IsSet(PteAttributes.Leaf(IommuProt.Read | IommuProt.Write, hd)));
        Assert.False(Descriptor.DBM.IsSet(PteAttributes.Leaf(IommuProt.Read, hd)));
    }
}
