using SmmuLab.Architecture.Commands;
using SmmuLab.Hardware.Observation;
using SmmuLab.Hardware.Pcie;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Machines;

namespace SmmuLab.Verification;

/// <summary>
/// The stale-translation oracle. It is told, per domain, which IOVA pages map to which PA pages
/// (on map), which died (when an unmap returns, i.e. after its invalidation completed), and, per
/// device RID or PASID, which domain it is attached to over time (attach, detach). Every page of
/// DMA that reaches memory (<see cref="ISmmuObserver.DmaAccessed"/>) is judged: the current domain must
/// map its IOVA page to its PA page (identity: PA == IOVA), whether the translation came from the
/// SMMU's TLB, a walk or the endpoint's ATC. Otherwise it is a <see cref="ViolationKind.Stale"/>
/// violation when a dead mapping explains it (an unmapped page, or a domain the device was moved
/// away from), reported with the commands its SMMU consumed since the killing step; else
/// <see cref="ViolationKind.Blocked"/> or <see cref="ViolationKind.Unmapped"/>.
/// </summary>
/// <remarks>
/// Thread-safe. DMA is judged on the DMA's thread, under the SMMU's lock or, for a page the TLB
/// answered, without it but before any CMD_SYNC that could have removed its translation completes
/// (<see cref="ISmmuObserver.AllowsUnlockedDma"/>); the oracle takes only its own lock and never
/// calls back into the SMMU. Tell it about a change only once the driver call
/// returned: an unmap or detach is not dead before its invalidation completed.
/// </remarks>
public sealed partial class StaleTranslationOracle : IDisposable
{
    public const int DefaultCommandHistory = 64;
    public const int DefaultViolationLimit = 256;
    private const int PageShift = 12;
    private const uint Rid = uint.MaxValue;

    private readonly Lock gate = new();
    private readonly int commandHistory;
    private readonly int violationLimit;
    private readonly Dictionary<string, OracleDomainState> domains = [];
    private readonly Dictionary<(string Device, uint Pasid), OracleAttachment> attachments = [];
    private readonly Dictionary<string, string> deviceSmmus = [];
    private readonly Dictionary<string, CommandRing> rings = [];
    private readonly List<(SmmuDevice Smmu, IDisposable Subscription)> watchedSmmus = [];

    /// <summary>
    /// The endpoints whose DMA a watched SMMU's observer has judged, by name (<see cref="DmaAccess.Endpoint"/>).
    /// Copied on write under the lock and read without it: an SMMU watched only for its commands (a
    /// scenario's, whose DMA comes through <see cref="Check"/>) reports every page, and a page of
    /// an endpoint not watched is turned away without the lock.
    /// </summary>
    private HashSet<string> watchedEndpoints = new(StringComparer.Ordinal);
    private readonly OracleDomainState nothing = new("blocked", OracleDomainKind.Blocked);
    private readonly List<OracleViolation> violations = [];
    private string? lastEndpoint;
    private uint lastPasid;
    private OracleAttachment? lastAttachment;
    private int step = -1;
    private long sequence;
    private long stepFirstCommand;
    private long pagesChecked;
    private long pagesUnchecked;
    private long violationCount;
    private long deferredWindowPages;
    private long deferredSequence;

    /// <param name="commandHistory">Consumed commands remembered per SMMU.</param>
    /// <param name="violationLimit">Violations kept in detail (all are counted).</param>
    public StaleTranslationOracle(int commandHistory = DefaultCommandHistory, int violationLimit = DefaultViolationLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(commandHistory, 1);
        this.commandHistory = commandHistory;
        this.violationLimit = violationLimit;
    }

    /// <summary>Raised for each violation as the DMA happens (on the DMA's thread, possibly on several at once).</summary>
    public event Action<OracleViolation>? ViolationFound;

    /// <summary>The step being run; the scenario runner sets it (-1 during setup).</summary>
    public int Step
    {
        get => step;
        set
        {
            lock (gate)
            {
                Volatile.Write(ref step, value);
                stepFirstCommand = Interlocked.Read(ref sequence);
            }
        }
    }

    public long PagesChecked => Interlocked.Read(ref pagesChecked) + FastChecked;

    public long ViolationCount => Interlocked.Read(ref violationCount);

    /// <summary>The violations kept so far (the first <c>violationLimit</c>).</summary>
    public IReadOnlyList<OracleViolation> Violations
    {
        get
        {
            lock (gate)
            {
                return [.. violations];
            }
        }
    }

    /// <summary>Remembers the commands <paramref name="smmu"/> consumes (once per SMMU).</summary>
    public void WatchSmmu(string name, SmmuDevice smmu)
    {
        lock (gate)
        {
            if (watchedSmmus.Any(w => ReferenceEquals(w.Smmu, smmu)))
            {
                return;
            }

            var ring = new CommandRing(name, commandHistory);
            rings[name] = ring;
            watchedSmmus.Add((smmu, smmu.AddObserver(new DelegateObserver
            {
                // The SMMU's own CMDQ: the commands a violation report lists next to the mapping it killed.
                OnCommand = (_, seen) =>
                {
                    if (seen.Queue.IsCmdq)
                    {
                        OnCommand(ring, seen.Command);
                    }
                },
                OnDma = (_, access) => CheckWatched(access),
                ConcurrentDma = true,
            })));
        }
    }

    /// <summary>Says which SMMU a device is behind (for the commands in its violations).</summary>
    public void AddDevice(string device, string smmu)
    {
        lock (gate)
        {
            deviceSmmus[device] = smmu;
        }
    }

    /// <summary>Watches a <see cref="DriverMachine"/> device: its SMMU's commands and its endpoint's DMA.</summary>
    public void Watch(DeviceNode device)
    {
        WatchSmmu(device.Smmu.Name, device.Smmu.Device);
        AddDevice(device.Name, device.Smmu.Name);
        lock (gate)
        {
            Volatile.Write(ref watchedEndpoints, new HashSet<string>(watchedEndpoints, StringComparer.Ordinal) { device.Endpoint.Name });
        }
    }

    /// <summary>Declares a domain by name. Devices start attached to nothing (blocked).</summary>
    public void AddDomain(string name, OracleDomainKind kind)
    {
        lock (gate)
        {
            if (!domains.TryAdd(name, new OracleDomainState(name, kind, liveMappings)))
            {
                throw new ArgumentException($"the oracle already knows a domain named {name}", nameof(name));
            }
        }
    }

    /// <summary>The attach (RID) or set-PASID returned: from now on the device uses <paramref name="domain"/>.</summary>
    public void Attached(string device, uint? pasid, string domain)
    {
        lock (gate)
        {
            var target = Domain(domain);
            var what = pasid is { } p ? $"attach {device} pasid {p} to {domain}" : $"attach {device} to {domain}";
            Attachment(device, pasid).MoveTo(target, Kill(what));
        }
    }

    /// <summary>The detach (RID: to blocked) or remove-PASID returned.</summary>
    public void Detached(string device, uint? pasid)
    {
        lock (gate)
        {
            var what = pasid is { } p ? $"detach {device} pasid {p}" : $"detach {device}";
            Attachment(device, pasid).MoveTo(nothing, Kill(what));
        }
    }

    /// <summary>The map returned: [iova, iova + size) now maps to [pa, pa + size) in <paramref name="domain"/>.</summary>
    public void Mapped(string domain, ulong iova, ulong pa, ulong size)
    {
        lock (gate)
        {
            if (PageRange(iova, size) is { } pages)
            {
                var d = PagingDomain(domain);
                KeepMapping(d, d.Map(pages.First, pages.Last, pa >> PageShift));
            }
        }
    }

    /// <summary>The unmap returned (its invalidation completed): the live pages of the range are dead.</summary>
    public void Unmapped(string domain, ulong iova, ulong size)
    {
        lock (gate)
        {
            var d = PagingDomain(domain);
            var kill = OracleKill.Unmap(step, domain, iova, size, stepFirstCommand);
            if (PageRange(iova, size) is { } pages)
            {
                d.Unmap(pages.First, pages.Last, kill);
            }
        }
    }

    /// <summary>
    /// A lazy unmap returned: [iova, iova + size) of <paramref name="domain"/> is cleared but not
    /// invalidated. Until a flush that starts after this call completes, DMA through the old
    /// translation is counted as in the deferred window, not as a violation.
    /// </summary>
    public void UnmappedDeferred(string domain, ulong iova, ulong size)
    {
        lock (gate)
        {
            var d = PagingDomain(domain);
            if (PageRange(iova, size) is { } pages)
            {
                d.UnmapDeferred(pages.First, pages.Last, deferredSequence++);
            }
        }
    }

    /// <summary>A whole-domain flush of a lazy domain is about to be issued; pass the ticket to <see cref="DeferredFlushFinished"/>.</summary>
    public long DeferredFlushStarting()
    {
        lock (gate)
        {
            return deferredSequence;
        }
    }

    /// <summary>
    /// The flush of <paramref name="domain"/> that <see cref="DeferredFlushStarting"/> gave
    /// <paramref name="ticket"/> for completed: the deferred unmaps reported before it are dead.
    /// </summary>
    public void DeferredFlushFinished(string domain, long ticket)
    {
        lock (gate)
        {
            PagingDomain(domain).CloseDeferred(ticket, Kill($"flush of lazy domain {domain}"));
        }
    }

    /// <summary>What an <see cref="Driver.Dma.IommuDma"/> of <paramref name="domain"/> tells the oracle (<see cref="Driver.Dma.IommuDmaOptions.Listener"/>).</summary>
    public Driver.Dma.IDmaMappingListener ListenerFor(string domain) => new OracleDmaListener(this, domain);

    /// <summary>Judges one page of DMA that reached memory.</summary>
    public void Check(DmaAccess access)
    {
        if (TryJudgeFast(access))
        {
            return;
        }

        OracleViolation? found;
        lock (gate)
        {
            found = Judge(access);
            KeepForFastJudging(access, FindAttachment(access.Endpoint, access.Pasid ?? Rid));
        }

        if (found is not null)
        {
            ViolationFound?.Invoke(found);
        }
    }

    /// <summary>A page of DMA on a watched SMMU: judged when its endpoint is watched.</summary>
    private void CheckWatched(in DmaAccess access)
    {
        if (!Volatile.Read(ref watchedEndpoints).Contains(access.Endpoint) || TryJudgeFast(access))
        {
            return;
        }

        OracleViolation? found;
        lock (gate)
        {
            if (!watchedEndpoints.Contains(access.Endpoint))
            {
                return;
            }

            found = Judge(access);
            KeepForFastJudging(access, FindAttachment(access.Endpoint, access.Pasid ?? Rid));
        }

        if (found is not null)
        {
            ViolationFound?.Invoke(found);
        }
    }

    /// <summary>A snapshot of what the oracle saw.</summary>
    public OracleSummary Summarize()
    {
        lock (gate)
        {
            return new OracleSummary(pagesChecked + FastChecked, pagesUnchecked, violationCount, [.. violations]) { DeferredWindowPages = deferredWindowPages };
        }
    }

    /// <summary>Stops watching SMMUs and endpoints.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var (_, subscription) in watchedSmmus)
            {
                subscription.Dispose();
            }

            watchedSmmus.Clear();
            Volatile.Write(ref watchedEndpoints, new HashSet<string>(StringComparer.Ordinal));
        }
    }

    private OracleViolation? Judge(in DmaAccess access)
    {
        var attachment = FindAttachment(access.Endpoint, access.Pasid ?? Rid);
        var current = attachment?.Current ?? nothing;
        if (current.Kind == OracleDomainKind.Unchecked)
        {
            pagesUnchecked++;
            return null;
        }

        pagesChecked++;
        var iovaPage = access.Address >> PageShift;
        var paPage = access.PhysicalAddress >> PageShift;
        if (current.Maps(iovaPage, paPage))
        {
            return null;
        }

        if (current.IsDeferred(iovaPage, paPage))
        {
            deferredWindowPages++;
            return null;
        }

        // A dead mapping of the current domain, or any mapping of a domain the device left.
        OracleKill? kill = null;
        OracleDomainState? killed = null;
        if (current.TryGetDead(iovaPage, paPage, out var unmapped))
        {
            (kill, killed) = (unmapped, current);
        }
        else if (attachment is not null)
        {
            for (var i = attachment.Left.Count - 1; i >= 0 && kill is null; i--)
            {
                var (domain, left) = attachment.Left[i];
                var wasDead = domain.TryGetDead(iovaPage, paPage, out var earlier);
                if (wasDead && earlier.FirstCommand <= left.FirstCommand)
                {
                    (kill, killed) = (earlier, domain);
                }
                else if (wasDead || domain.Maps(iovaPage, paPage))
                {
                    (kill, killed) = (left, domain);
                }
            }
        }

        var kind = kill is not null ? ViolationKind.Stale : current.Kind == OracleDomainKind.Blocked ? ViolationKind.Blocked : ViolationKind.Unmapped;
        var smmu = deviceSmmus.GetValueOrDefault(access.Endpoint);
        IReadOnlyList<ConsumedCommand> commands = [];
        var dropped = false;
        if (kill is { } k && smmu is not null && rings.TryGetValue(smmu, out var ring))
        {
            commands = ring.Since(k.FirstCommand, out dropped);
        }

        var violation = new OracleViolation(kind, step, access.Endpoint, smmu, access.StreamId, access.Pasid, access.Address, access.PhysicalAddress,
            access.Write, access.FromAtc, current.Name, killed?.Name, kill, commands, dropped);
        violationCount++;
        if (violations.Count < violationLimit)
        {
            violations.Add(violation);
        }

        return violation;
    }

    /// <summary>
    /// Records a command the SMMU's CMDQ consumed. Called with the SMMU's device lock held, so it
    /// takes only the ring's own lock, never the oracle's (which DMA threads hold while a page is judged).
    /// </summary>
    private void OnCommand(CommandRing ring, Command command) =>
        ring.Add(Interlocked.Increment(ref sequence) - 1, Volatile.Read(ref step), command);

    private OracleKill Kill(string description) => new(step, description, stepFirstCommand);

    /// <summary>
    /// The attachment DMA of (<paramref name="endpoint"/>, <paramref name="pasid"/>) is judged by, or
    /// null. The last one found is remembered (attachments are never removed, and a device's DMA
    /// comes page after page with the same name instance), which spares hashing the name per page.
    /// </summary>
    private OracleAttachment? FindAttachment(string endpoint, uint pasid)
    {
        if (ReferenceEquals(endpoint, lastEndpoint) && pasid == lastPasid)
        {
            return lastAttachment;
        }

        if (!attachments.TryGetValue((endpoint, pasid), out var found))
        {
            return null;
        }

        (lastEndpoint, lastPasid, lastAttachment) = (endpoint, pasid, found);
        return found;
    }

    private OracleAttachment Attachment(string device, uint? pasid)
    {
        var key = (device, pasid ?? Rid);
        if (!attachments.TryGetValue(key, out var a))
        {
            a = new OracleAttachment(nothing);
            attachments.Add(key, a);
        }

        return a;
    }

    private OracleDomainState Domain(string name) =>
        domains.TryGetValue(name, out var d) ? d : throw new ArgumentException($"the oracle knows no domain named {name}", nameof(name));

    private OracleDomainState PagingDomain(string name)
    {
        var d = Domain(name);
        return d.Kind is OracleDomainKind.Paging or OracleDomainKind.Nested ? d : throw new ArgumentException($"domain {name} is {d.Kind}, it has no mappings", nameof(name));
    }

    /// <summary>The 4 KiB pages [iova, iova + size) touches (up to the top of the address space), or null for size 0.</summary>
    private static (ulong First, ulong Last)? PageRange(ulong iova, ulong size)
    {
        if (size == 0)
        {
            return null;
        }

        var last = iova + size - 1;
        return (iova >> PageShift, (last < iova ? ulong.MaxValue : last) >> PageShift);
    }
}
