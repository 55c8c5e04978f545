using SmmuLab.Hardware.Products;
using SmmuLab.Hardware.Smmu;

namespace SmmuLab.Scenarios;

/// <summary>
/// The feature names of an [[smmu]] table and how they become <see cref="SmmuFeatures"/>.
/// Capabilities a scenario is usually about (s1, s2, nesting, ril, ats, msi, sev, btm, hyp, pri)
/// are off unless listed. The basics every SMMU a Linux host is likely to meet has (coherent,
/// 2lvl-strtab, cd2l, 16bit-asid, 16bit-vmid) are on unless listed with a <c>no-</c> prefix.
/// Granules: only the listed ones; 4 KiB alone when none is listed.
/// </summary>
public static class ScenarioFeatures
{
    /// <summary>Off unless listed.</summary>
    public static readonly IReadOnlyList<string> Optional =
        ["s1", "s2", "nesting", "ril", "ats", "msi", "sev", "btm", "hyp", "pri"];

    /// <summary>On unless listed as <c>no-NAME</c> (listing NAME itself is allowed and changes nothing).</summary>
    public static readonly IReadOnlyList<string> Basics = ["coherent", "2lvl-strtab", "cd2l", "16bit-asid", "16bit-vmid"];

    /// <summary>Granule names: when any is listed, exactly the listed ones; otherwise 4 KiB only.</summary>
    public static readonly IReadOnlyList<string> Granules = ["gran4k", "gran16k", "gran64k"];

    /// <summary>Every name a <c>features</c> array may hold.</summary>
    public static readonly IReadOnlyList<string> Known =
        [.. Optional, .. Basics, .. Basics.Select(b => "no-" + b), .. Granules];

    public static readonly IReadOnlyList<int> OutputAddressSizes = [32, 36, 40, 42, 44, 48, 52];

    public static readonly IReadOnlyList<string> Modes = ["inline", "free-running"];

    /// <summary>Values of <c>reserved-fields</c> (IHI0070 4.1.5).</summary>
    public static readonly IReadOnlyList<string> ReservedFieldPolicies = ["error", "ignore"];

    public const int DefaultOutputAddressBits = 48;
    public const int DefaultStreamIdBits = 16;

    /// <summary>StreamID bits when the stream table is linear (the model needs 2 levels for 7 and more).</summary>
    public const int DefaultLinearStreamIdBits = 6;

    public const int DefaultSubstreamIdBits = 20;

    public static bool IsKnown(string name) => Known.Contains(name);

    /// <summary>
    /// Checks a feature list for contradictions; returns the problem, or null. The parser reports it
    /// against <c>features</c>.
    /// </summary>
    public static string? Check(IReadOnlyList<string> features)
    {
        var set = features.ToHashSet(StringComparer.Ordinal);
        foreach (var basic in Basics)
        {
            if (set.Contains(basic) && set.Contains("no-" + basic))
            {
                return $"'{basic}' and 'no-{basic}' contradict each other";
            }
        }

        return !set.Contains("s1") && !set.Contains("s2") ? "an SMMU needs 's1', 's2' or both"
            : set.Contains("nesting") && !(set.Contains("s1") && set.Contains("s2")) ? "'nesting' needs both 's1' and 's2'"
            : set.Contains("pri") && !set.Contains("ats") ? "'pri' needs 'ats'"
            : set.Contains("hyp") && !(set.Contains("s1") && set.Contains("s2")) ? "'hyp' needs both 's1' and 's2'"
            : null;
    }

    /// <summary>StreamID bits of an SMMU: <c>sid-bits</c>, else 16 with a 2-level stream table and 6 without.</summary>
    public static int StreamIdBits(SmmuSpec spec) =>
        spec.StreamIdBits ?? (Has(spec, "no-2lvl-strtab") ? DefaultLinearStreamIdBits : DefaultStreamIdBits);

    /// <summary>SubstreamID (PASID) bits of an SMMU: <c>ssid-bits</c>, else 20.</summary>
    public static int SubstreamIdBits(SmmuSpec spec) => spec.SubstreamIdBits ?? DefaultSubstreamIdBits;

    /// <summary>What the SMMU's ID registers advertise for <paramref name="spec"/>.</summary>
    public static SmmuFeatures ToSmmuFeatures(SmmuSpec spec)
    {
        var anyGranule = Granules.Any(g => Has(spec, g));
        return new SmmuFeatures
        {
            Stage1 = Has(spec, "s1"),
            Stage2 = Has(spec, "s2"),
            RangeInvalidation = Has(spec, "ril"),
            Ats = Has(spec, "ats"),
            Msi = Has(spec, "msi"),
            Sev = Has(spec, "sev"),
            Btm = Has(spec, "btm"),
            Hyp = Has(spec, "hyp"),
            Pri = Has(spec, "pri"),
            CoherentAccess = !Has(spec, "no-coherent"),
            TwoLevelStreamTable = !Has(spec, "no-2lvl-strtab"),
            TwoLevelCdTables = !Has(spec, "no-cd2l"),
            Asid16 = !Has(spec, "no-16bit-asid"),
            Vmid16 = !Has(spec, "no-16bit-vmid"),
            Granule4K = !anyGranule || Has(spec, "gran4k"),
            Granule16K = Has(spec, "gran16k"),
            Granule64K = Has(spec, "gran64k"),
            OutputAddressBits = spec.OutputAddressBits ?? DefaultOutputAddressBits,
            StreamIdBits = StreamIdBits(spec),
            SubstreamIdBits = SubstreamIdBits(spec),
            WiredInterrupts = spec.WiredInterrupts ?? true,
        };
    }

    /// <summary>
    /// The model options for <paramref name="spec"/>: name, features, product, consumption mode
    /// (<paramref name="mode"/> overrides the file's <c>mode</c>), TLB size.
    /// </summary>
    public static SmmuDeviceOptions ToDeviceOptions(SmmuSpec spec, ConsumptionMode? mode = null)
    {
        var defaults = new SmmuDeviceOptions();
        return new SmmuDeviceOptions
        {
            Name = spec.Name,
            Features = ToSmmuFeatures(spec),
            Product = ProductIdentity.Parse(spec.Product),
            Mode = mode ?? ParseMode(spec.Mode),
            TlbCapacity = spec.TlbEntries ?? defaults.TlbCapacity,
            ReservedFields = spec.ReservedFields == "ignore" ? ReservedFieldPolicy.Ignore : ReservedFieldPolicy.Error,
        };
    }

    /// <summary>"inline" (or null) and "free-running".</summary>
    public static ConsumptionMode ParseMode(string? mode) => mode switch
    {
        null or "inline" => ConsumptionMode.Inline,
        "free-running" => ConsumptionMode.FreeRunning,
        _ => throw new ArgumentException($"unknown mode '{mode}'", nameof(mode)),
    };

    private static bool Has(SmmuSpec spec, string name) => spec.Features.Contains(name);
}
