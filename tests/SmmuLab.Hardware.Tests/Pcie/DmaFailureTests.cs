using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Architecture.Registers;
using SmmuLab.Architecture.StreamTable;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Hardware.Tests.Pcie;

/// <summary>A DMA that stops says why (<see cref="DmaResult.Failure"/>): a fault event, an abort without one and which, a refused ATS request, no RAM.</summary>
public sealed class DmaFailureTests
{
    private const ulong Va = 0x0010_0000;

    private static (SmmuTestBed Bed, Endpoint Ep) Bed(ulong[] ste, bool ats = false)
    {
        var bed = new SmmuTestBed();
        bed.WriteSte(1, ste);
        bed.Run(Command.CfgiSte(1, true));
        var ep = new Endpoint("dev", [1], bed.Memory, new EndpointOptions { AtsCapable = ats });
        bed.Device.Connect(ep);
        if (ats)
        {
            ep.EnableAts(bed.Device.SmallestTranslationUnit);
        }

        return (bed, ep);
    }

    [Fact]
    public void An_abort_STE_is_a_silent_stream_abort()
    {
        var (bed, ep) = Bed(StructureImages.Abort());
        using var _ = bed;

        var r = ep.Read(Va, new byte[16]);

        Assert.Equal(DmaFailure.SilentAbort, r.Failure);
        Assert.Equal(SilentAbort.StreamAbort, r.Silent);
        Assert.Null(r.Fault);
        Assert.Equal(Va, r.FaultAddress);
    }

    [Fact]
    public void A_walk_fault_is_a_fault_with_its_event()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1);
        var ep = new Endpoint("dev", [1], bed.Memory);
        bed.Device.Connect(ep);

        var r = ep.Read(Va, new byte[16]);

        Assert.Equal(DmaFailure.Fault, r.Failure);
        Assert.Equal(EventId.F_TRANSLATION, r.Fault);
        Assert.Equal(SilentAbort.None, r.Silent);
    }

    [Fact]
    public void A_bypassed_address_without_RAM_is_not_backed_with_its_physical_address()
    {
        var (bed, ep) = Bed(StructureImages.Bypass());
        using var _ = bed;

        var r = ep.Write(SmmuTestBed.Unbacked + 0x40, new byte[16]);

        Assert.Equal(DmaFailure.NotBacked, r.Failure);
        Assert.Equal(SmmuTestBed.Unbacked + 0x40, r.PhysicalAddress);
        Assert.Null(r.Fault);
    }

    [Fact]
    public void With_the_SMMU_disabled_and_GBPA_abort_every_DMA_is_a_global_abort()
    {
        using var bed = new SmmuTestBed(bringUp: false);
        bed.Mmio.Write32(SmmuRegister.GBPA, (uint)Gbpa.ABORT.Make(1) | (uint)Gbpa.Update.Make(1));
        var ep = new Endpoint("dev", [1], bed.Memory);
        bed.Device.Connect(ep);

        var r = ep.Read(0x1000, new byte[16]);

        Assert.Equal(DmaFailure.SilentAbort, r.Failure);
        Assert.Equal(SilentAbort.GlobalAbort, r.Silent);
    }

    [Fact]
    public void An_ATS_request_on_a_stream_without_ATS_is_refused_with_unsupported_request()
    {
        using var bed = new SmmuTestBed();
        bed.ConfigureStage1(1); // EATS = 0
        bed.MapS1(Va, SmmuTestBed.Data);
        var ep = new Endpoint("dev", [1], bed.Memory, new EndpointOptions { AtsCapable = true });
        bed.Device.Connect(ep);
        ep.EnableAts(bed.Device.SmallestTranslationUnit);

        var r = ep.Read(Va, new byte[16]);

        Assert.Equal(DmaFailure.AtsUnsupportedRequest, r.Failure);
        Assert.Equal(EventId.F_BAD_ATS_TREQ, bed.SingleEvent().Id);
    }

    [Fact]
    public void An_ATS_translation_that_grants_no_write_is_refused_as_not_permitted()
    {
        var ste = StructureImages.Stage1(SmmuTestBed.CdAddress(1));
        Ste.EATS.Set(ste, Eats.Trans);
        var (bed, ep) = Bed(ste, ats: true);
        using var _ = bed;
        bed.WriteCd(SmmuTestBed.CdAddress(1), StructureImages.MakeCd(bed.S1.Root, 1));
        bed.Run(Command.CfgiSte(1, true));
        bed.MapS1(Va, SmmuTestBed.Data, writable: false);

        Assert.True(ep.Read(Va, new byte[16]).Ok);
        var r = ep.Write(Va, new byte[16]);

        Assert.Equal(DmaFailure.AtsNotPermitted, r.Failure);
        Assert.Null(r.Fault);
    }
}
