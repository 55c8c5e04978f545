namespace SmmuLab.Verification;

/// <summary>
/// A nested domain (<see cref="OracleDomainKind.Nested"/>): its live and dead mappings are the
/// guest's stage 1, IOVA page to IPA page, and <see cref="Parent"/> (the nesting parent, a paging
/// domain) maps IPA pages to PA pages. A translation through it is live while both stages are; it
/// died when either did.
/// </summary>
internal sealed partial class OracleDomainState
{
    /// <summary>The nesting parent of a nested domain (its stage 2); null for every other kind.</summary>
    public OracleDomainState? Parent { get; init; }

    private OracleDomainState Stage2 => Parent ?? throw new InvalidOperationException($"nested domain {Name} has no parent");

    /// <summary>The guest maps IOVA page to an IPA page (live) that the parent maps to the PA page (live).</summary>
    private bool MapsNested(ulong iovaPage, ulong paPage) =>
        live.TryFind(iovaPage, out var mapping) && Stage2.Maps(iovaPage + mapping.Offset, paPage);

    /// <summary>
    /// The kill that explains IOVA page to PA page through a dead stage: a live guest mapping whose
    /// IPA page the parent unmapped (the parent's unmap), or a dead guest mapping whose IPA page the
    /// parent maps to the PA page (the guest's unmap) or mapped once (the earlier of the two). When
    /// several explain it, the latest kill is named.
    /// </summary>
    private bool TryGetDeadNested(ulong iovaPage, ulong paPage, out OracleKill kill)
    {
        OracleKill? found = null;
        if (live.TryFind(iovaPage, out var liveMapping) && Stage2.TryGetDead(iovaPage + liveMapping.Offset, paPage, out var stage2Kill))
        {
            found = stage2Kill;
        }

        foreach (var (offset, extents) in dead)
        {
            if (!extents.TryFind(iovaPage, out var stage1Kill))
            {
                continue;
            }

            var ipaPage = iovaPage + offset;
            OracleKill? candidate = Stage2.Maps(ipaPage, paPage) ? stage1Kill
                : Stage2.TryGetDead(ipaPage, paPage, out var both) ? Earlier(stage1Kill, both)
                : null;
            if (candidate is { } c && (found is null || Before(found.Value, c)))
            {
                found = c;
            }
        }

        kill = found ?? default;
        return found is not null;
    }

    private static OracleKill Earlier(OracleKill a, OracleKill b) => Before(b, a) ? b : a;

    /// <summary>Whether <paramref name="a"/> happened before <paramref name="b"/> (by first command, then by step).</summary>
    private static bool Before(OracleKill a, OracleKill b) => a.FirstCommand < b.FirstCommand || (a.FirstCommand == b.FirstCommand && a.Step < b.Step);
}
