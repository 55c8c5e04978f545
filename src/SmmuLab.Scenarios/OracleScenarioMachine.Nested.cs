namespace SmmuLab.Scenarios;

/// <summary>Nested domains: judged through the guest's stage 1 and the parent's stage 2.</summary>
internal sealed partial class OracleScenarioMachine
{
    public (ulong Ipa, ulong Pa, ulong Size)? GuestMemory(string parent) => inner.GuestMemory(parent);

    /// <summary>
    /// A nested domain: the oracle judges it over its parent. The VM's RAM, which the machine mapped
    /// into the parent itself, is a live stage-2 mapping like any the scenario made.
    /// </summary>
    private void AddNestedDomain(string name, string parent)
    {
        Oracle.AddNestedDomain(name, parent);
        if (inner.GuestMemory(parent) is { } ram)
        {
            Oracle.Mapped(parent, ram.Ipa, ram.Pa, ram.Size);
        }
    }
}
