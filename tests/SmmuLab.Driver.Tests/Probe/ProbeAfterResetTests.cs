using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Memory;
using SmmuLab.Architecture.Registers;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;
using SmmuLab.Hardware.Memory;
using SmmuLab.Hardware.Smmu;
using SmmuLab.TestSupport.Memory;

namespace SmmuLab.Driver.Tests.Probe;

/// <summary>An SMMU reset by its emulator (<see cref="SmmuDevice.Reset"/>) is probed by the driver again as a new one.</summary>
public sealed class ProbeAfterResetTests
{
    private static uint[] RegisterImage(IMmio mmio) =>
        [.. Enumerable.Range(0, 0x40).Select(i => mmio.Read32(i * 4)), .. Enumerable.Range(0, 0x40).Select(i => mmio.Read32(SmmuRegister.Page1 + (i * 4)))];

    [Fact]
    public void The_driver_probes_a_used_then_reset_SMMU_as_it_probes_a_new_one()
    {
        var memory = new SparsePhysicalMemory();
        using var smmu = new SmmuDevice(new SmmuDeviceOptions(), memory);
        var newDevice = RegisterImage(smmu);
        var platform = new DriverPlatform(smmu, memory, new TestDmaAllocator(), new WaitForEvent());

        var first = SmmuDriver.Probe(platform);
        first.IssueWithSync([Command.CfgiAll(), Command.TlbiNsnhAll()]);
        Assert.True(Cr0.SMMUEN.IsSet(smmu.Read32(SmmuRegister.CR0)));

        smmu.Reset();
        Assert.Equal(newDevice, RegisterImage(smmu));

        var second = SmmuDriver.Probe(platform);
        second.IssueWithSync([Command.CfgiAll()]);
        var cr0 = smmu.Read32(SmmuRegister.CR0ACK);
        Assert.True(Cr0.SMMUEN.IsSet(cr0) && Cr0.CMDQEN.IsSet(cr0) && Cr0.EVENTQEN.IsSet(cr0));
        Assert.Equal(smmu.Read32(SmmuRegister.CMDQ_PROD), smmu.Read32(SmmuRegister.CMDQ_CONS));
        Assert.Equal(0u, smmu.Read32(SmmuRegister.GERROR) ^ smmu.Read32(SmmuRegister.GERRORN));
        Assert.Equal(second.Cmdq.BaseRegisterValue, smmu.Read64(SmmuRegister.CMDQ_BASE));
    }
}
