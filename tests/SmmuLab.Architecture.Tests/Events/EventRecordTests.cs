using SmmuLab.Architecture.Events;

namespace SmmuLab.Architecture.Tests.Events;

public class EventRecordTests
{
    [Fact]
    public void Create_sets_the_identification_fields()
    {
        var e = EventRecord.Create(EventId.F_TRANSLATION, 0x42, ssid: 7);
        Assert.Equal(0x0000_0042_0000_7810UL, e.Dw0);
        Assert.Equal(EventId.F_TRANSLATION, e.Id);
        Assert.Equal(0x42u, e.Sid);
        Assert.True(e.SsidValid);
        Assert.Equal(7u, e.Ssid);
        Assert.False(EventRecord.Create(EventId.C_BAD_STE, 1).SsidValid);
    }

    [Fact]
    public void Access_and_fault_bits()
    {
        var e = EventRecord.Create(EventId.F_PERMISSION, 1).WithAccess(read: true, instruction: true, privileged: true).WithFault(true, FaultClass.IN);
        Assert.Equal((1UL << 33) | (1UL << 34) | (1UL << 35) | (1UL << 39) | (2UL << 40), e.Dw1);
        Assert.True(e.IsRead);
        Assert.True(e.IsStage2);
        Assert.Equal(FaultClass.IN, e.Class);
    }

    [Fact]
    public void Address_IPA_and_fetch_address_come_from_their_fields()
    {
        var e = new EventRecord(0x10, 0, 0x1234_5678, 0x0000_0080_0000_1FF8);
        Assert.Equal(0x1234_5678UL, e.Address);
        Assert.Equal(0x0000_0080_0000_1000UL, e.Ipa);
        Assert.Equal(0x0000_0080_0000_1FF8UL, e.Fetch);
    }

    [Theory]
    [InlineData(EventId.F_STE_FETCH, true)]
    [InlineData(EventId.F_CD_FETCH, true)]
    [InlineData(EventId.F_WALK_EABT, true)]
    [InlineData(EventId.F_TRANSLATION, false)]
    [InlineData(EventId.F_PERMISSION, false)]
    public void Layout_by_type(EventId id, bool fetch) =>
        Assert.Same(fetch ? EventRecord.FetchLayout : EventRecord.TranslationLayout, EventRecord.LayoutFor(id));
}
