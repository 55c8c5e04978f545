using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Guest;
using SmmuLab.Driver.Masters;

namespace SmmuLab.Scenarios;

/// <summary>
/// Nested domains: a VM with a vSMMU per nest-parent domain (<see cref="GuestVm"/>, made with the
/// parent's first nested domain), and per nested domain the guest's stage 1 in the VM's RAM. Map,
/// unmap and flush of a nested domain are the guest kernel's (its tables: IOVA to IPA; its
/// invalidation through the vSMMU, or the VM's VCMDQ when the SMMU has a CMDQV); attaching a device
/// installs the nested STE.
/// </summary>
public sealed partial class DriverScenarioMachine
{
    private readonly Dictionary<string, GuestVm> vms = [];
    private readonly Dictionary<NestedDomain, GuestVmDomain> guestDomains = [];
    private readonly Dictionary<Master, GuestVm> guestMasters = [];

    /// <summary>
    /// Wraps the command queue of every guest domain as it is made (tests put a broken guest
    /// between the guest's domain and its vSMMU or VCMDQ); null leaves them as they are.
    /// </summary>
    public Func<IGuestCommandQueue, IGuestCommandQueue>? GuestQueueWrapper { get; init; }

    /// <summary>The VM whose stage 2 is nest-parent domain <paramref name="parent"/>.</summary>
    public GuestVm Vm(string parent) =>
        vms.TryGetValue(parent, out var vm) ? vm : throw new KeyNotFoundException($"no VM has {parent} as its stage 2");

    /// <summary>The guest side of nested domain <paramref name="name"/>.</summary>
    public GuestVmDomain GuestDomain(string name) =>
        Domain(name) is NestedDomain n ? guestDomains[n] : throw new KeyNotFoundException($"{name} is not a nested domain");

    /// <summary>The VM's RAM window of nest-parent domain <paramref name="parent"/> (IPA, PA, size), or null when it has no VM.</summary>
    public (ulong Ipa, ulong Pa, ulong Size)? GuestMemory(string parent) =>
        vms.TryGetValue(parent, out var vm) ? (vm.Memory.IpaBase, vm.Memory.PaBase, vm.Memory.Size) : null;

    private NestedDomain AddNestedDomain(DomainSpec spec)
    {
        var parentName = spec.Parent ?? throw new ScenarioStepException($"nested domain {spec.Name} has no parent");
        if (Domain(parentName) is not PagingDomain { Kind: DomainKind.NestParent } parent)
        {
            throw new ScenarioStepException($"{parentName} is not a nest-parent domain");
        }

        var smmuName = spec.Smmu ?? throw new ScenarioStepException($"nested domain {spec.Name} has no SMMU");
        var smmu = machine.Smmu(smmuName);
        if (!vms.TryGetValue(parentName, out var vm))
        {
            var cmdqv = machine.HasCmdqv(smmuName) ? machine.Cmdqv(smmuName).Driver : null;
            vm = Guard(() => new GuestVm(parentName, smmu.Driver, parent, cmdqv));
            vms.Add(parentName, vm);
        }
        else if (vm.Smmu != smmu.Driver)
        {
            throw new ScenarioStepException($"the VM of {parentName} is on {vm.Smmu.Name}, not on {smmuName}");
        }

        var domain = Guard(() => vm.CreateDomain(spec.Name, spec.Asid ?? throw new ArgumentException($"nested domain {spec.Name} needs the guest's ASID")));
        if (GuestQueueWrapper is { } wrap)
        {
            domain.Guest.Queue = wrap(domain.Guest.Queue);
        }

        guestDomains.Add(domain.Nested, domain);
        return domain.Nested;
    }

    private GuestStage1Domain GuestOf(NestedDomain nested) => guestDomains[nested].Guest;

    /// <summary>The guest attaches the device: the host installs the nested STE, the guest domain learns its virtual StreamIDs.</summary>
    private void AttachNested(Master master, NestedDomain nested)
    {
        var domain = guestDomains[nested];
        var vm = vms[nested.VSmmu.Name];
        if (guestMasters.TryGetValue(master, out var old) && old != vm)
        {
            old.Forget(master);
        }

        vm.Attach(master, domain);
        guestMasters[master] = vm;
    }

    /// <summary>The device went to a host domain: the guest domain it was in forgets it.</summary>
    private void LeftNested(Master master)
    {
        if (guestMasters.Remove(master, out var vm))
        {
            vm.Forget(master);
        }
    }

    /// <summary>Per VM: the guest's invalidation calls through the vSMMU (the VCMDQ's are in the CMDQV lines).</summary>
    private IEnumerable<string> NestedReportLines() => vms.Values.Select(vm =>
        $"{vm.Smmu.Name} vSMMU {vm.Name} (VMID {vm.VSmmu.Vmid}): {vm.VSmmu.Invalidations} guest invalidation calls, "
        + $"{vm.VSmmu.CommandsForwarded} commands forwarded to the CMDQ"
        + (vm.Vcmdq is { } q ? $"; guest VCMDQ: VINTF{vm.Vintf!.Index} lvcmdq{q.Lidx}, {q.Queue.Statistics.CommandsIssued} commands issued" : string.Empty));

    private void DisposeVms()
    {
        foreach (var vm in vms.Values)
        {
            vm.Dispose();
        }

        vms.Clear();
    }
}
