using SmmuLab.Driver.Domains;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Replay.Engine;

namespace SmmuLab.Replay.Tests.Engine;

/// <summary>Trace devices matched by name to the machine's devices, and the ones created for the trace.</summary>
public sealed class MachineTests
{
    private static readonly ReplaySmmuSpec AtsSmmu = new(new SmmuDeviceOptions
    {
        Name = "smmu0",
        Features = new SmmuFeatures { Stage2 = false, Ats = true, Granule16K = false, Granule64K = false },
    });

    [Fact]
    public void A_device_of_the_machine_is_used_by_name_with_its_domain_and_ATS()
    {
        var machine = new ReplayMachineSpec("nvme box", [AtsSmmu],
            [new ReplayDeviceSpec(HandTrace.Nvme, "smmu0", [0x20], Ats: true, Domain: "dom")],
            [new ReplayDomainSpec("dom", DomainKind.S1, 7, null)]);

        var r = Replays.Run(Replays.ThreeMapsThreeUnmaps(), machine);

        Assert.Empty(r.CreatedDevices);
        Assert.Equal([HandTrace.Nvme], r.Devices);
        Assert.Equal("nvme box", r.Machine);

        // With ATS each strict unmap also invalidates the device's ATC, and waits for it.
        Assert.Equal(3, r.ReplayCost.Tlbis);
        Assert.Equal(3, r.ReplayCost.AtcInvs);
        Assert.Equal(6, r.ReplayCost.Syncs);
        Assert.Equal("dom", Assert.Single(r.DmaDomains).Domain);
    }

    [Fact]
    public void An_unknown_device_is_created_on_an_added_default_SMMU_and_reported()
    {
        var machine = new ReplayMachineSpec("other box", [AtsSmmu], [new ReplayDeviceSpec("nic", "smmu0", [0x20], Ats: false, Domain: null)], []);

        var r = Replays.Run(Replays.ThreeMapsThreeUnmaps(), machine);

        Assert.Equal([$"{HandTrace.Nvme} (SMMU default, StreamID 0x100)"], r.CreatedDevices);
        Assert.Equal((3L, 0L), (r.ReplayCost.Syncs, r.ReplayCost.AtcInvs));

        // Probing the added SMMU and attaching the device are set-up, not replay.
        Assert.True(r.Cost(ReplayOperation.Setup).Syncs > 0);
    }

    [Fact]
    public void Devices_sharing_a_domain_share_its_IOVA_space()
    {
        var machine = new ReplayMachineSpec("two", [AtsSmmu],
            [new ReplayDeviceSpec("a", "smmu0", [0x20], false, "dom"), new ReplayDeviceSpec("b", "smmu0", [0x21], false, "dom")],
            [new ReplayDomainSpec("dom", DomainKind.S1, null, null)]);
        var t = new HandTrace()
            .Map(0, 0xFFFF_F000, 0x8_0000_1000, device: "a", iommu: false)
            .Map(10, 0xFFFF_F000, 0x8_0000_2000, device: "b", iommu: false);

        var r = Replays.Run(t, machine);

        // Same trace address for both (the trace is made up): the second gets the next page.
        Assert.Equal((2L, 1L), (r.Counters.Maps, r.Counters.MapsMatchingTrace));
        Assert.Equal(2, Assert.Single(r.DmaDomains).Statistics.IovaAllocations);
    }

    [Fact]
    public void A_device_whose_attach_is_refused_is_noted_and_its_events_are_not_replayed()
    {
        var s1Only = new ReplaySmmuSpec(ReplayMachineSpec.DefaultSmmuOptions("smmu0"));
        var machine = new ReplayMachineSpec("s2 on s1", [s1Only],
            [new ReplayDeviceSpec(HandTrace.Nvme, "smmu0", [0x20], false, "vm")],
            [new ReplayDomainSpec("vm", DomainKind.S2, 3, null)]);

        var r = Replays.Run(Replays.ThreeMapsThreeUnmaps(iommu: false), machine);

        Assert.Contains(r.Notes, n => n.StartsWith($"device {HandTrace.Nvme}: attach to vm refused", StringComparison.Ordinal));
        Assert.Equal(3, r.Problems.Count(ReplayProblem.NotReplayable));
        Assert.Equal(3, r.Problems.Count(ReplayProblem.UnmatchedUnmap));
        Assert.Equal(0, r.Counters.Maps);
    }

    [Fact]
    public void Pci_names_get_64_bit_masks_and_other_devices_32_bit_ones()
    {
        Assert.True(ReplayMachine.DeviceOptions("0000:01:00.0").IsPci);
        Assert.Equal(ulong.MaxValue, ReplayMachine.DeviceOptions("0000:01:00.0").DmaMask);
        Assert.False(ReplayMachine.DeviceOptions("ff0a0000.ethernet").IsPci);
        Assert.Equal(0xFFFF_FFFFUL, ReplayMachine.DeviceOptions("ff0a0000.ethernet").DmaMask);
    }
}
