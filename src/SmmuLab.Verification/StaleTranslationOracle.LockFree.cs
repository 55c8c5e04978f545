using System.Runtime.InteropServices;
using SmmuLab.Hardware.Pcie;

namespace SmmuLab.Verification;

/// <summary>
/// Judging a page without the oracle's lock: the page of DMA that a live mapping of the device's
/// current domain explains, which is nearly every page, is judged from what the DMA thread saw
/// last, and only the rest (violations, identity and nested domains, a mapping not seen yet) takes
/// the lock.
/// </summary>
/// <remarks>
/// ORDERING. Each thread keeps, without sharing them, the attachment it looked up last and the last
/// <see cref="ThreadState.MappingsKept"/> mappings it mapped or judged a page through. A fast judgment reads
/// the attachment's current domain (a volatile read; an attach or detach writes it last, under the
/// lock) and then whether a kept mapping is still live (<see cref="LiveMappingTable"/>: an unmap
/// clears it under the lock as it takes the pages out of the domain). If both still say the page is mapped, the judgment is the one
/// the lock would have given just before that attach or unmap, which the page may be ordered
/// before: an unmap is reported only after its invalidation completed, and by then every page that
/// could have used the removed translation has already been judged (the SMMU's grace period). The
/// page is counted in the thread's own cell, which <see cref="PagesChecked"/> and <see cref="Summarize"/> add.
/// </remarks>
public sealed partial class StaleTranslationOracle
{
    private readonly ThreadLocal<ThreadState> threads = new(() => new ThreadState(), trackAllValues: true);

    /// <summary>The mappings of this oracle's domains that are still live, for judging without the lock.</summary>
    private readonly LiveMappingTable liveMappings = new();

    /// <summary>Pages judged without the lock, over every thread.</summary>
    private long FastChecked
    {
        get
        {
            var total = 0L;
            foreach (var state in threads.Values)
            {
                total += Volatile.Read(ref state.Checked);
            }

            return total;
        }
    }

    /// <summary>True, with the page counted, when a mapping the thread kept explains it.</summary>
    private bool TryJudgeFast(in DmaAccess access)
    {
        var state = threads.Value!;
        if (!ReferenceEquals(access.Endpoint, state.Endpoint) || (access.Pasid ?? Rid) != state.Pasid || state.Attachment is not { } attachment)
        {
            return false;
        }

        var current = attachment.Current;
        var iovaPage = access.Address >> PageShift;
        var paPage = access.PhysicalAddress >> PageShift;
        var domains = state.Domains;
        var mappings = state.Mappings;
        for (var i = 0; i < domains.Length; i++)
        {
            if (ReferenceEquals(domains[i], current) && mappings[i].Maps(iovaPage, paPage) && liveMappings.IsLive(mappings[i].Id))
            {
                Volatile.Write(ref state.Checked, state.Checked + 1);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Under the lock, after a page was judged: the thread remembers its attachment and, when a live
    /// mapping of a paging domain explained the page, that mapping, so that the next pages are judged
    /// without the lock.
    /// </summary>
    private void KeepForFastJudging(in DmaAccess access, OracleAttachment? attachment)
    {
        var state = threads.Value!;
        (state.Endpoint, state.Pasid, state.Attachment) = (access.Endpoint, access.Pasid ?? Rid, attachment);
        if (attachment?.Current is { Kind: OracleDomainKind.Paging } current
            && current.TryFindLive(access.Address >> PageShift, out var mapping) && liveMappings.IsLive(mapping.Id))
        {
            state.Keep(current, mapping);
        }
    }

    /// <summary>Under the lock: a mapping the calling thread just made is kept, as its DMA usually follows.</summary>
    private void KeepMapping(OracleDomainState domain, LiveMapping mapping)
    {
        if (domain.Kind == OracleDomainKind.Paging)
        {
            threads.Value!.Keep(domain, mapping);
        }
    }

    /// <summary>One thread's view: written only by that thread; its count is read by others.</summary>
    /// <remarks>Padded (the count on a cache line of its own), since threads bump their counts side by side.</remarks>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private sealed class ThreadState
    {
        public const int MappingsKept = 8;

        /// <summary>The domain of each kept mapping (null: an empty place).</summary>
        [FieldOffset(0)]
        public readonly OracleDomainState?[] Domains = new OracleDomainState?[MappingsKept];

        [FieldOffset(40)]
        public readonly LiveMapping[] Mappings = new LiveMapping[MappingsKept];

        [FieldOffset(8)]
        public string? Endpoint;

        [FieldOffset(16)]
        public OracleAttachment? Attachment;

        [FieldOffset(24)]
        public uint Pasid;

        [FieldOffset(32)]
        private int next;

        [FieldOffset(64)]
        public long Checked;

        public void Keep(OracleDomainState domain, LiveMapping mapping)
        {
            for (var i = 0; i < MappingsKept; i++)
            {
                if (Mappings[i].Id == mapping.Id && ReferenceEquals(Domains[i], domain))
                {
                    return;
                }
            }

            (Domains[next], Mappings[next]) = (domain, mapping);
            next = (next + 1) % MappingsKept;
        }
    }
}
