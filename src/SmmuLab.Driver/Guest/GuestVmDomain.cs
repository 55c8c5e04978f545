using SmmuLab.Driver.Domains;

namespace SmmuLab.Driver.Guest;

/// <summary>
/// One guest domain of a <see cref="GuestVm"/>: the guest kernel's stage 1 and the nested domain the
/// VMM made of its STE (iommufd's nested HWPT on the vIOMMU).
/// </summary>
public sealed record GuestVmDomain(GuestStage1Domain Guest, NestedDomain Nested)
{
    public string Name => Guest.Name;
}
