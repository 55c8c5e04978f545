namespace SmmuLab.Verification;

/// <summary>
/// What one device's RID or one PASID is attached to, and the domains it was moved away from
/// (most recent last), each with the attach or detach that moved it.
/// </summary>
internal sealed class OracleAttachment(OracleDomainState current)
{
    /// <summary>Domains remembered per RID/PASID after the device left them.</summary>
    public const int HistoryLimit = 8;

    private volatile OracleDomainState current = current;

    /// <summary>The domain it uses now; read without the oracle's lock by DMA judged on the fast path (set last by <see cref="MoveTo"/>).</summary>
    public OracleDomainState Current => current;

    public List<(OracleDomainState Domain, OracleKill Kill)> Left { get; } = [];

    public void MoveTo(OracleDomainState domain, OracleKill kill)
    {
        if (ReferenceEquals(domain, Current))
        {
            return;
        }

        if (Current.Kind is OracleDomainKind.Paging or OracleDomainKind.Identity or OracleDomainKind.Nested)
        {
            Left.RemoveAll(l => ReferenceEquals(l.Domain, Current));
            Left.Add((Current, kill));
            if (Left.Count > HistoryLimit)
            {
                Left.RemoveAt(0);
            }
        }

        // Back on a domain it had left: that domain's own live and dead mappings judge it again.
        Left.RemoveAll(l => ReferenceEquals(l.Domain, domain));
        current = domain;
    }
}
