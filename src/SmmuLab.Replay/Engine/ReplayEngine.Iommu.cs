using SmmuLab.Driver.PageTables;

namespace SmmuLab.Replay.Engine;

/// <summary>
/// The <c>iommu</c> map/unmap events once <see cref="IommuAttribution"/> has decided them: held
/// ones are checked against their call; the others are attributed by rules 2 to 4 of
/// <c>docs/replay.md</c> and applied on their own to the device's domain (as <c>iommu_map</c> /
/// <c>iommu_unmap</c>, which invalidate strictly whatever the DMA mode).
/// </summary>
public sealed partial class ReplayEngine
{
    void IIommuEventSink.Claimed(in PendingIommu e, ReplayDevice device, ulong start, ulong end, bool anyRange)
    {
        counters.IommuClaimed++;
        if (anyRange)
        {
            return;
        }

        var inside = e.Iova >= start && e.Iova + e.Size <= end;
        if (!inside || (!e.IsMap && e.UnmappedSize != e.Size))
        {
            counters.IommuInconsistent++;
            problems.Report(ReplayProblem.Inconsistent, e.Line, IommuWhat(e), !inside
                ? $"outside the DMA range 0x{start:x}-0x{end:x} of its {device.Name} call"
                : $"unmapped {e.UnmappedSize} of {e.Size} bytes");
        }

        if (e.IsMap)
        {
            device.Live[e.Iova] = new LiveRange(e.Size, Raw: false);
        }
        else
        {
            RemoveLive(device, e.Iova, e.Size);
        }
    }

    void IIommuEventSink.Unclaimed(in PendingIommu e, bool lost)
    {
        if (lost)
        {
            Unattributed(e, $"events were lost on CPU {e.Cpu} before it was decided");
            return;
        }

        if (e.IsMap)
        {
            ApplyMap(e);
        }
        else
        {
            ApplyUnmap(e);
        }
    }

    /// <summary>Rule 3: the last attached device, when the trace attached only one, or all it attached share one domain; with no attach in the trace, the machine's only device.</summary>
    private ReplayDevice? MapOwner(in PendingIommu e)
    {
        if (e.Device is { } named)
        {
            return Device(named);
        }

        if (lastAttached is not null)
        {
            var owner = Device(lastAttached);
            if (attached.Count == 1)
            {
                return owner;
            }

            foreach (var name in attached)
            {
                if (Device(name).Domain is not { } d || !ReferenceEquals(d, owner.Domain))
                {
                    return null;
                }
            }

            return owner;
        }

        return spec.Devices.Count == 1 ? Device(spec.Devices[0].Name) : null;
    }

    /// <summary>Rule 2: the one device with a live mapping starting at the unmap's IOVA.</summary>
    private ReplayDevice? UnmapOwner(in PendingIommu e)
    {
        if (e.Device is { } named)
        {
            return Device(named);
        }

        ReplayDevice? owner = null;
        foreach (var d in machine.Devices)
        {
            if (d.Live.ContainsKey(e.Iova))
            {
                if (owner is not null)
                {
                    return null;
                }

                owner = d;
            }
        }

        return owner;
    }

    private void ApplyMap(in PendingIommu e)
    {
        var device = MapOwner(e);
        if (device?.Domain is not { } domain)
        {
            Unattributed(e, device is null ? "no attached device to give it to" : $"device {device.Name} is not set up");
            return;
        }

        try
        {
            domain.Domain.Map(e.Iova, e.PhysAddress, e.Size, IommuProt.Read | IommuProt.Write | IommuProt.Cache);
            device.Live[e.Iova] = new LiveRange(e.Size, Raw: true);
            counters.IommuMapsApplied++;
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            problems.Report(ReplayProblem.Refused, e.Line, IommuWhat(e), x.Message);
        }

        meter.Charge(ReplayOperation.IommuMap);
    }

    private void ApplyUnmap(in PendingIommu e)
    {
        var device = UnmapOwner(e);
        if (device is null)
        {
            Unattributed(e, "no device, or more than one, has a mapping there");
            return;
        }

        if (!device.Live.TryGetValue(e.Iova, out var live))
        {
            problems.Report(ReplayProblem.UnmatchedUnmap, e.Line, IommuWhat(e), $"device {device.Name} has no mapping there");
            return;
        }

        if (!live.Raw || device.Domain is not { } domain)
        {
            // The mapping came from a replayed DMA-API call whose own unmap is missing: the
            // replay's mapping is at another IOVA and stays.
            counters.IommuUnmapsOfDmaMappings++;
            RemoveLive(device, e.Iova, e.Size);
            return;
        }

        try
        {
            domain.Domain.Unmap(e.Iova, e.Size);
            counters.IommuUnmapsApplied++;
        }
        catch (Exception x) when (ReplayMachine.IsDriverRefusal(x))
        {
            problems.Report(ReplayProblem.Refused, e.Line, IommuWhat(e), x.Message);
        }

        RemoveLive(device, e.Iova, e.Size);
        meter.Charge(ReplayOperation.IommuUnmap);
    }

    /// <summary>Removes the live ranges an unmap of [iova, +size) covers, from the one starting at iova on.</summary>
    private static void RemoveLive(ReplayDevice device, ulong iova, ulong size)
    {
        var end = iova + size;
        var a = iova;
        while (a < end && device.Live.Remove(a, out var r) && r.Size != 0)
        {
            a += r.Size;
        }
    }

    private void Unattributed(in PendingIommu e, string why)
    {
        counters.IommuUnattributed++;
        problems.Report(ReplayProblem.Unattributed, e.Line, IommuWhat(e), why);
    }

    private static string IommuWhat(in PendingIommu e) =>
        $"{(e.IsMap ? "map" : "unmap")} iova 0x{e.Iova:x} size {e.Size}";
}
