using SmmuLab.Driver.Invalidation;
using SmmuLab.Driver.Platform;
using SmmuLab.Scenarios;
using SmmuLab.Verification.Stress;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// The machines <c>smmulab check</c> stresses: the default <see cref="StressRig"/>, or a scenario's
/// SMMUs and devices (its domains and steps are not used) with its first device as the DMA device.
/// </summary>
internal static class CheckMachines
{
    /// <summary>A factory of rigs, each with the waiter given to its driver and design.</summary>
    public static Func<Waiter, StressRig> For(Scenario? scenario, string design, Func<string, Waiter, IInvalidationDesign> designs)
    {
        if (scenario is null)
        {
            return w => StressRig.Default(designs(design, w), w);
        }

        return w =>
        {
            var owner = new DriverScenarioMachine(designs(design, w), memory: scenario.Memory, waiter: w);
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

                return new StressRig(owner.Machine, owner.Machine.Device(scenario.Devices[0].Name), owner);
            }
            catch
            {
                owner.Dispose();
                throw;
            }
        };
    }
}
