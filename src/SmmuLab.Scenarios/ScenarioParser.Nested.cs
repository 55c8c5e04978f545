namespace SmmuLab.Scenarios;

/// <summary>Nested domains: <c>kind = "nested"</c> with <c>parent</c> and the guest's <c>asid</c>.</summary>
public static partial class ScenarioParser
{
    /// <summary><c>parent</c>: required for a nested domain (with <c>asid</c>), refused for every other kind.</summary>
    private static string? ParseParent(TomlTableReader t, string kind, ushort? asid)
    {
        var parent = t.String("parent");
        if (kind != "nested")
        {
            return parent is null ? null : throw t.Fail("parent", $"a {kind} domain has no parent (only nested domains do)");
        }

        if (asid is null)
        {
            throw t.Missing("asid");
        }

        return parent ?? throw t.Missing("parent");
    }

    /// <summary>
    /// Every nested domain's parent is a nest-parent domain defined above it, and the nested domain gets the
    /// parent's SMMU (a VM's stage 2 and its vSMMU are on one SMMU): the parent's <c>smmu</c>, else the
    /// only SMMU. A nested domain's own <c>smmu</c>, if given, must be that one.
    /// </summary>
    private static List<DomainSpec> ResolveNestedDomains(List<TomlTableReader> tables, List<DomainSpec> domains, List<SmmuSpec> smmus)
    {
        var resolved = new List<DomainSpec>(domains.Count);
        for (var i = 0; i < domains.Count; i++)
        {
            var d = domains[i];
            if (d.Kind != "nested")
            {
                resolved.Add(d);
                continue;
            }

            var t = tables[i];
            var parent = domains.Take(i).FirstOrDefault(p => p.Name == d.Parent)
                ?? throw (domains.Any(p => p.Name == d.Parent)
                    ? t.Fail("parent", $"'{d.Parent}' must be defined before the nested domains on it")
                    : Undefined(t, "parent", d.Parent!, domains.Where(p => p.Kind == "nest-parent").Select(p => p.Name)));
            if (parent.Kind != "nest-parent")
            {
                throw t.Fail("parent", $"'{parent.Name}' is a {parent.Kind} domain; a nested domain's parent must be a nest-parent domain");
            }

            var smmu = parent.Smmu ?? (smmus.Count == 1 ? smmus[0].Name
                : throw t.Fail("parent", $"'{parent.Name}' needs an 'smmu' key: the VM's stage 2 and its vSMMU sit on one SMMU"));
            if (d.Smmu is { } own && own != smmu)
            {
                throw t.Fail("smmu", $"'{own}' is not the SMMU of parent '{parent.Name}' ({smmu})");
            }

            resolved.Add(d with { Smmu = smmu });
        }

        return resolved;
    }
}
