using SmmuLab.Architecture.StreamTable;
using SmmuLab.Driver.Domains;
using SmmuLab.Driver.Platform;
using SmmuLab.Driver.Probe;

namespace SmmuLab.Driver.Masters;

/// <summary>
/// A device behind an SMMU (Linux <c>arm_smmu_master</c>): its StreamIDs in ascending order, its PCI
/// ATS capability, its CD table when it uses stage 1 or PASIDs, and what its RID and PASIDs are
/// attached to. Attach, set-PASID and remove-PASID follow Linux's prepare / install / commit order
/// (see Master.Attach.cs).
/// </summary>
public sealed partial class Master
{
    private readonly Dictionary<uint, IommuDomain> pasids = [];

    internal Master(IommuSystem system, SmmuDriver smmu, string name, IReadOnlyList<uint> streamIds, IPciFunction? pci, int pasidBits)
    {
        if (streamIds.Count == 0)
        {
            throw new ArgumentException($"master {name} needs at least one StreamID", nameof(streamIds));
        }

        var sorted = streamIds.Order().ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] == sorted[i - 1])
            {
                throw new ArgumentException($"master {name} lists StreamID 0x{sorted[i]:x} twice", nameof(streamIds));
            }
        }

        foreach (var sid in sorted)
        {
            smmu.StreamTable.EnsureStream(sid);
        }

        Iommu = system;
        Smmu = smmu;
        Name = name;
        StreamIds = sorted;
        Pci = pci;
        PasidBits = Math.Min(pasidBits, smmu.Features.SsidBits);
    }

    public IommuSystem Iommu { get; }

    public SmmuDriver Smmu { get; }

    public string Name { get; }

    /// <summary>StreamIDs, ascending (Linux sorts them for the invalidation arrays).</summary>
    public IReadOnlyList<uint> StreamIds { get; }

    public IPciFunction? Pci { get; }

    /// <summary>The function has ATS and the SMMU implements it (Linux <c>arm_smmu_ats_supported</c>).</summary>
    public bool AtsSupported => Pci is { AtsSupported: true } && Smmu.Features.Ats;

    /// <summary>PASID bits usable with this master (0: no PASIDs).</summary>
    public int PasidBits { get; }

    /// <summary>What the RID is attached to (blocked after probe).</summary>
    public IommuDomain Domain { get; private set; } = BlockedDomain.Instance;

    /// <summary>ATS is enabled in the function for the current attachment.</summary>
    public bool AtsEnabled { get; private set; }

    /// <summary>PASIDs attached to domains.</summary>
    public IReadOnlyDictionary<uint, IommuDomain> Pasids => pasids;

    /// <summary>The CD table, once stage 1 or a PASID was used.</summary>
    internal CdTable? CdTable { get; private set; }

    /// <summary>The invalidation design's per-master state (the Linux design's scratch array).</summary>
    public object? DesignState { get; set; }

    /// <summary>The STE each StreamID currently holds (as written).</summary>
    public ulong[] CurrentSte { get; } = new ulong[Ste.Dwords];

    public override string ToString() => $"{Name} [{string.Join(",", StreamIds.Select(s => $"0x{s:x}"))}]";

    /// <summary>The domain whose invalidations cover a domain attached to this master, if any.</summary>
    internal static InvalidationDomain? TargetOf(IommuDomain domain) => domain switch
    {
        InvalidationDomain d => d,
        NestedDomain n => n.VSmmu.Parent,
        _ => null,
    };

    /// <summary>Writes the blocked STE at probe (every StreamID of a new master aborts).</summary>
    internal void InstallInitialSte()
    {
        Span<ulong> ste = stackalloc ulong[Ste.Dwords];
        Tables.SteBuilder.MakeAbort(ste);
        WriteSteForAll(ste);
    }

    private CdTable EnsureCdTable()
    {
        if (CdTable is null)
        {
            CdTable = new CdTable(this, PasidBits);
        }

        return CdTable;
    }

    private void WriteSteForAll(ReadOnlySpan<ulong> ste)
    {
        foreach (var sid in StreamIds)
        {
            Smmu.WriteSte(sid, ste);
        }

        ste.CopyTo(CurrentSte);
    }
}
