namespace SmmuLab.Simulation.Oracle;

/// <summary>
/// What the oracle knows of one domain: its live mappings (IOVA page to PA page) and its dead
/// ones (IOVA page and PA page to the unmap that killed them). Pages are 4 KiB page numbers.
/// </summary>
internal sealed class OracleDomainState(string name, OracleDomainKind kind)
{
    public string Name { get; } = name;

    public OracleDomainKind Kind { get; } = kind;

    public Dictionary<ulong, ulong> Live { get; } = [];

    public Dictionary<(ulong IovaPage, ulong PaPage), OracleKill> Dead { get; } = [];

    /// <summary>Whether this domain now translates IOVA page <paramref name="iovaPage"/> to PA page <paramref name="paPage"/>.</summary>
    public bool Maps(ulong iovaPage, ulong paPage) => Kind switch
    {
        OracleDomainKind.Identity => iovaPage == paPage,
        OracleDomainKind.Paging => Live.TryGetValue(iovaPage, out var pa) && pa == paPage,
        _ => false,
    };
}
