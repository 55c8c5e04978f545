using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Hardware.Tests.Smmu;

namespace SmmuLab.Hardware.Tests.Cmdqv;

/// <summary>Invalidations executed from a VCMDQ reach the SMMU's <see cref="SmmuDevice.InvalidationListener"/> as executed.</summary>
public sealed class CmdqvInvalidationListenerTests
{
    [Fact]
    public void A_guest_TLBI_is_reported_with_the_VMID_its_VINTF_substituted()
    {
        using var bed = new CmdqvTestBed();
        var listener = new RecordingInvalidationListener();
        bed.Smmu.InvalidationListener = listener;
        bed.EnableVintf(1, vmid: 9, hypOwn: false);
        bed.MapQueue(vcmdq: 4, vintf: 1, lidx: 0);

        bed.Submit(1, 0, Command.TlbiNhAsid(0, 5), Command.Sync(SyncCompletion.SIG_NONE));

        Assert.Equal(new InvalidationScope(Opcode.CMD_TLBI_NH_ASID, Vmid: 9, Asid: 5), Assert.Single(listener.Scopes));
    }
}
