using SmmuLab.Architecture.StreamTable;

namespace SmmuLab.Driver.Domains;

/// <summary>
/// A nested domain: the guest's STE (its Config, CD table pointer in IPA space, S1DSS, EATS...)
/// over a vSMMU's nesting parent. Invalidation of the parent covers it (with NH_ALL for the
/// guest's stage-1 entries); the guest invalidates its own ASIDs through its vSMMU.
/// </summary>
public sealed class NestedDomain : IommuDomain
{
    private readonly ulong[] guestSte = new ulong[Ste.Dwords];

    public NestedDomain(string name, VSmmu vsmmu, ReadOnlySpan<ulong> guestSte)
        : base(name, DomainKind.Nested)
    {
        VSmmu = vsmmu;
        guestSte[..Math.Min(guestSte.Length, Ste.Dwords)].CopyTo(this.guestSte);
        var config = (uint)Ste.Config.Get(this.guestSte);
        if (Ste.V.IsSet(this.guestSte) && config is not (SteConfig.Abort or SteConfig.Bypass or SteConfig.S1Translate))
        {
            throw new ArgumentException($"a guest STE may only be abort, bypass or stage 1 (Config {config})", nameof(guestSte));
        }
    }

    public VSmmu VSmmu { get; }

    /// <summary>The guest STE's words.</summary>
    public ReadOnlySpan<ulong> GuestSte => guestSte;

    /// <summary>The guest asked for ATS (EATS = 1) on a stage-1 STE.</summary>
    public bool GuestWantsAts => Ste.V.IsSet(guestSte) && Ste.Config.Get(guestSte) == SteConfig.S1Translate && Ste.EATS.Get(guestSte) == Eats.Trans;
}
