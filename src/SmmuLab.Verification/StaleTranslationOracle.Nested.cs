namespace SmmuLab.Verification;

/// <summary>Nested domains: the guest's stage 1 over a nesting parent's stage 2.</summary>
public sealed partial class StaleTranslationOracle
{
    /// <summary>
    /// Declares a nested domain over <paramref name="parent"/> (a paging domain already declared).
    /// Its <see cref="Mapped"/> and <see cref="Unmapped"/> are the guest's stage 1: IOVA to IPA
    /// (the "PA" argument is the IPA); the parent's are stage 2, IPA to PA. A page of DMA through it is
    /// right when both stages map it now; when one of them maps it no more, the access is
    /// <see cref="ViolationKind.Stale"/> and names the unmap (of the guest or of the parent) that
    /// killed it.
    /// </summary>
    public void AddNestedDomain(string name, string parent)
    {
        lock (gate)
        {
            var p = Domain(parent);
            if (p.Kind != OracleDomainKind.Paging)
            {
                throw new ArgumentException($"the parent of nested domain {name} must be a paging domain, {parent} is {p.Kind}", nameof(parent));
            }

            if (!domains.TryAdd(name, new OracleDomainState(name, OracleDomainKind.Nested, liveMappings) { Parent = p }))
            {
                throw new ArgumentException($"the oracle already knows a domain named {name}", nameof(name));
            }
        }
    }
}
