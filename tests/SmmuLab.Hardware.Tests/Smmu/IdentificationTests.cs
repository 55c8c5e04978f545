using SmmuLab.Architecture.Registers;
using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Smmu;

/// <summary>IDR0-IDR5 computed from the feature set, IIDR from the product, AIDR from the revision (6.3.1-6.3.8).</summary>
public sealed class IdentificationTests
{
    private static uint Read(SmmuFeatures f, int offset, ProductIdentity? product = null)
    {
        using var bed = new SmmuTestBed(f, product: product, bringUp: false);
        return bed.Mmio.Read32(offset);
    }

    [Fact]
    public void Default_IDR0_advertises_a_capable_SMMUv3_2()
    {
        var idr0 = Read(new SmmuFeatures(), SmmuRegister.IDR0);
        Assert.Equal(1UL, Idr0.S1P.Get(idr0));
        Assert.Equal(1UL, Idr0.S2P.Get(idr0));
        Assert.Equal((ulong)Idr0.TtfAArch64, Idr0.TTF.Get(idr0));
        Assert.Equal(1UL, Idr0.COHACC.Get(idr0));
        Assert.Equal(0UL, Idr0.BTM.Get(idr0));
        Assert.Equal(0UL, Idr0.HYP.Get(idr0));
        Assert.Equal(1UL, Idr0.ATS.Get(idr0));
        Assert.Equal(0UL, Idr0.NS1ATS.Get(idr0));
        Assert.Equal(1UL, Idr0.ATSRECERR.Get(idr0));
        Assert.Equal(1UL, Idr0.ASID16.Get(idr0));
        Assert.Equal(1UL, Idr0.MSI.Get(idr0));
        Assert.Equal(1UL, Idr0.SEV.Get(idr0));
        Assert.Equal(0UL, Idr0.PRI.Get(idr0));
        Assert.Equal(1UL, Idr0.VMID16.Get(idr0));
        Assert.Equal(1UL, Idr0.CD2L.Get(idr0));
        Assert.Equal((ulong)Idr0.TtEndianLittle, Idr0.TTENDIAN.Get(idr0));
        Assert.Equal(1UL, Idr0.STALL_MODEL.Get(idr0));
        Assert.Equal(1UL, Idr0.ST_LEVEL.Get(idr0));
        Assert.Equal(0u, idr0 & 0xA000_0000u); // RES0 bits 29 and 31
    }

    public static TheoryData<string, SmmuFeatures, string, ulong> Idr0Cases => new()
    {
        { "S1P off", new SmmuFeatures { Stage1 = false }, "S1P", 0 },
        { "S2P off", new SmmuFeatures { Stage2 = false }, "S2P", 0 },
        { "HYP", new SmmuFeatures { Hyp = true }, "HYP", 1 },
        { "HYP needs S2P", new SmmuFeatures { Hyp = true, Stage2 = false }, "HYP", 0 },
        { "HYP needs S1P", new SmmuFeatures { Hyp = true, Stage1 = false }, "HYP", 0 },
        { "BTM", new SmmuFeatures { Btm = true }, "BTM", 1 },
        { "COHACC off", new SmmuFeatures { CoherentAccess = false }, "COHACC", 0 },
        { "ATS off", new SmmuFeatures { Ats = false }, "ATS", 0 },
        { "ATSRECERR needs ATS", new SmmuFeatures { Ats = false }, "ATSRECERR", 0 },
        { "MSI off", new SmmuFeatures { Msi = false }, "MSI", 0 },
        { "SEV off", new SmmuFeatures { Sev = false }, "SEV", 0 },
        { "8-bit ASID", new SmmuFeatures { Asid16 = false }, "ASID16", 0 },
        { "8-bit VMID", new SmmuFeatures { Vmid16 = false }, "VMID16", 0 },
        { "PRI", new SmmuFeatures { Pri = true }, "PRI", 1 },
        { "PRI needs ATS", new SmmuFeatures { Pri = true, Ats = false }, "PRI", 0 },
        { "linear CD tables", new SmmuFeatures { TwoLevelCdTables = false }, "CD2L", 0 },
        { "linear stream table", new SmmuFeatures { TwoLevelStreamTable = false, StreamIdBits = 6 }, "ST_LEVEL", 0 },
        { "stall model 0", new SmmuFeatures { StallModel = 0 }, "STALL_MODEL", 0 },
        { "stall forced", new SmmuFeatures { StallModel = 2 }, "STALL_MODEL", 2 },
    };

    [Theory]
    [MemberData(nameof(Idr0Cases))]
    public void IDR0_field_follows_the_features(string name, SmmuFeatures features, string field, ulong expected)
    {
        Assert.NotNull(name);
        Assert.True(Idr0.Layout.TryGetField(field, out var f));
        Assert.Equal(expected, f.Get(Read(features, SmmuRegister.IDR0)));
    }

    [Theory]
    [InlineData(16, 20, 19, 19)]
    [InlineData(8, 0, 8, 10)]
    [InlineData(32, 16, 0, 1)]
    [InlineData(6, 5, 19, 0)]
    public void IDR1_sizes_follow_the_features(int sid, int ssid, int cmdqs, int evtqs)
    {
        var f = new SmmuFeatures
        {
            StreamIdBits = sid,
            SubstreamIdBits = ssid,
            CommandQueueBits = cmdqs,
            EventQueueBits = evtqs,
            TwoLevelStreamTable = sid >= 7,
        };
        var idr1 = Read(f, SmmuRegister.IDR1);
        Assert.Equal((ulong)sid, Idr1.SIDSIZE.Get(idr1));
        Assert.Equal((ulong)ssid, Idr1.SSIDSIZE.Get(idr1));
        Assert.Equal((ulong)cmdqs, Idr1.CMDQS.Get(idr1));
        Assert.Equal((ulong)evtqs, Idr1.EVENTQS.Get(idr1));
        Assert.Equal(0UL, Idr1.PRIQS.Get(idr1));
        Assert.Equal(0UL, Idr1.REL.Get(idr1) | Idr1.QUEUES_PRESET.Get(idr1) | Idr1.TABLES_PRESET.Get(idr1) | Idr1.ECMDQ.Get(idr1));
    }

    [Fact]
    public void IDR1_PRIQS_is_non_zero_with_PRI()
    {
        Assert.NotEqual(0UL, Idr1.PRIQS.Get(Read(new SmmuFeatures { Pri = true }, SmmuRegister.IDR1)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IDR3_RIL_follows_range_invalidation(bool ril)
    {
        var idr3 = Read(new SmmuFeatures { RangeInvalidation = ril }, SmmuRegister.IDR3);
        Assert.Equal(ril ? 1UL : 0, Idr3.RIL.Get(idr3));
    }

    [Theory]
    [InlineData(32, 0u)]
    [InlineData(36, 1u)]
    [InlineData(40, 2u)]
    [InlineData(42, 3u)]
    [InlineData(44, 4u)]
    [InlineData(48, 5u)]
    [InlineData(52, 6u)]
    public void IDR5_OAS_encodes_the_output_size(int bits, uint encoding)
    {
        Assert.Equal((ulong)encoding, Idr5.OAS.Get(Read(new SmmuFeatures { OutputAddressBits = bits }, SmmuRegister.IDR5)));
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void IDR5_granules_follow_the_features(bool g4, bool g16, bool g64)
    {
        var idr5 = Read(new SmmuFeatures { Granule4K = g4, Granule16K = g16, Granule64K = g64 }, SmmuRegister.IDR5);
        Assert.Equal(g4 ? 1UL : 0, Idr5.GRAN4K.Get(idr5));
        Assert.Equal(g16 ? 1UL : 0, Idr5.GRAN16K.Get(idr5));
        Assert.Equal(g64 ? 1UL : 0, Idr5.GRAN64K.Get(idr5));
        Assert.Equal(0UL, Idr5.DS.Get(idr5) | Idr5.D128.Get(idr5) | Idr5.VAX.Get(idr5));
    }

    [Fact]
    public void Impossible_feature_sets_are_refused_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new SmmuTestBed(new SmmuFeatures { Stage1 = false, Stage2 = false }, bringUp: false));
        Assert.Throws<ArgumentException>(() => new SmmuTestBed(new SmmuFeatures { Granule4K = false, Granule16K = false, Granule64K = false }, bringUp: false));
        Assert.Throws<ArgumentException>(() => new SmmuTestBed(new SmmuFeatures { StreamIdBits = 8, TwoLevelStreamTable = false }, bringUp: false));
        Assert.Throws<ArgumentException>(() => new SmmuTestBed(new SmmuFeatures { CommandQueueBits = 20 }, bringUp: false));
    }

    [Fact]
    public void Generic_product_has_a_zero_IIDR()
    {
        Assert.Equal(0u, Read(new SmmuFeatures(), SmmuRegister.IIDR, ProductIdentity.Generic));
    }

    [Theory]
    [InlineData("mmu-600 r0p2", ArmProducts.MMU600, 0u, 2u)]
    [InlineData("mmu-600 r2p0", ArmProducts.MMU600, 2u, 0u)]
    [InlineData("mmu-700 r1p1", ArmProducts.MMU700, 1u, 1u)]
    [InlineData("mmu-700", ArmProducts.MMU700, 0u, 0u)]
    [InlineData("MMU-L1 r0p0", ArmProducts.MMUL1, 0u, 0u)]
    [InlineData("mmu-s3 r15p15", ArmProducts.MMUS3, 15u, 15u)]
    public void IIDR_carries_the_product_variant_and_revision(string product, uint productId, uint variant, uint revision)
    {
        var iidr = Read(new SmmuFeatures(), SmmuRegister.IIDR, ProductIdentity.Parse(product));
        Assert.Equal((ulong)ArmProducts.Implementer, Iidr.Implementer.Get(iidr));
        Assert.Equal((ulong)productId, Iidr.ProductID.Get(iidr));
        Assert.Equal((ulong)variant, Iidr.Variant.Get(iidr));
        Assert.Equal((ulong)revision, Iidr.Revision.Get(iidr));
    }

    [Theory]
    [InlineData("mmu-800")]
    [InlineData("mmu-600 r16p0")]
    [InlineData("mmu-600 p1")]
    [InlineData("")]
    public void Unknown_products_do_not_parse(string product)
    {
        Assert.False(ProductIdentity.TryParse(product, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(2u)]
    [InlineData(3u)]
    public void AIDR_reports_SMMUv3_and_the_minor_revision(uint minor)
    {
        var aidr = Read(new SmmuFeatures { ArchMinorRevision = minor }, SmmuRegister.AIDR);
        Assert.Equal((ulong)minor, Aidr.ArchMinorRev.Get(aidr));
        Assert.Equal(0UL, Aidr.ArchMajorRev.Get(aidr));
        Assert.Equal(0u, aidr >> 8);
    }
}
