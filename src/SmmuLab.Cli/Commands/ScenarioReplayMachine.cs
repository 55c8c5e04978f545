using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Probe;
using SmmuLab.Replay.Engine;
using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Commands;

/// <summary>
/// A scenario's machine as a replay machine: its SMMUs, its devices (each with the paging domain
/// its first whole-device <c>attach</c> step names) and its s1, s2 and nest-parent domains. The
/// steps themselves are not run, and a CMDQV (<c>cmdqv = true</c>) is not attached.
/// </summary>
internal static class ScenarioReplayMachine
{
    public static ReplayMachineSpec From(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var smmus = scenario.Smmus
            .Select(s => new ReplaySmmuSpec(ScenarioFeatures.ToDeviceOptions(s), new DriverOptions { RangeFallback = s.RangeFallback }))
            .ToList();
        var domains = new List<ReplayDomainSpec>();
        foreach (var d in scenario.Domains)
        {
            var kind = d.Kind switch
            {
                "s1" => DomainKind.S1,
                "s2" => DomainKind.S2,
                "nest-parent" => DomainKind.NestParent,
                _ => (DomainKind?)null,
            };
            if (kind is { } k)
            {
                domains.Add(new ReplayDomainSpec(d.Name, k, k == DomainKind.S1 ? d.Asid : d.Vmid, d.Smmu));
            }
        }

        var devices = scenario.Devices.Select(d => new ReplayDeviceSpec(
            d.Name,
            d.Smmu,
            d.Sids,
            d.Ats,
            scenario.Steps.OfType<AttachStep>().FirstOrDefault(a => a.Device == d.Name && a.Pasid is null)?.Domain)).ToList();
        return new ReplayMachineSpec(scenario.Path, smmus, devices, domains);
    }
}
