using SmmuLab.Driver.Invalidation;
using SmmuLab.Machines;
using SmmuLab.Machines.Bench;

namespace SmmuLab.Scenarios.Bench;

/// <summary>
/// The machine <c>smmulab bench --machine FILE</c> measures on: the scenario's SMMUs (with their
/// features, products and CMDQVs) and devices, built by <see cref="DriverScenarioMachine"/> with
/// the given invalidation design and with <see cref="BenchCpu"/> choosing each thread's VCMDQ.
/// The scenario's domains and steps are not used; the benchmark maps for its first device.
/// </summary>
public static class BenchScenarioMachine
{
    /// <summary>Builds the machine; <see cref="ScenarioStepException"/> when it has no device or the driver refuses it.</summary>
    public static (DriverScenarioMachine Owner, DeviceNode Device) Build(Scenario scenario, IInvalidationDesign design)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.Devices.Count == 0)
        {
            throw new ScenarioStepException($"{scenario.Path}: the machine has no [[device]] to map for");
        }

        var owner = new DriverScenarioMachine(design, memory: scenario.Memory) { CurrentCpu = BenchCpu.Reader };
        try
        {
            foreach (var smmu in scenario.Smmus)
            {
                owner.AddSmmu(smmu);
            }

            foreach (var device in scenario.Devices)
            {
                owner.AddDevice(device);
            }

            return (owner, owner.Machine.Device(scenario.Devices[0].Name));
        }
        catch
        {
            owner.Dispose();
            throw;
        }
    }
}
