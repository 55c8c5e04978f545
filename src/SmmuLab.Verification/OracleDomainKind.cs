namespace SmmuLab.Verification;

/// <summary>What the stale-translation oracle knows how to check for a domain.</summary>
public enum OracleDomainKind
{
    /// <summary>Every access lands at PA == IOVA.</summary>
    Identity,

    /// <summary>No access may reach memory.</summary>
    Blocked,

    /// <summary>A domain with a page table the oracle is told about (S1, S2, nest-parent, SVA).</summary>
    Paging,

    /// <summary>A domain whose translations the oracle cannot know (a guest-owned nested stage 1): accesses are counted, not judged.</summary>
    Unchecked,

    /// <summary>
    /// A nested domain: its own mappings are the guest's stage 1 (IOVA page to IPA page), and an
    /// access is right when the nesting parent maps that IPA page to the PA page.
    /// </summary>
    Nested,
}
