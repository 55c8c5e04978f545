namespace SmmuLab.Scenarios;

/// <summary>Reads one [[step]] table for <see cref="ScenarioParser"/>.</summary>
internal static class ScenarioStepParser
{
    public const ulong PageSize = 0x1000;

    /// <summary>Largest physical address: 52 bits.</summary>
    public const ulong MaxPa = (1UL << 52) - 1;

    /// <summary>Largest PASID (20 bits); PASID 0 is the RID and is written by leaving <c>pasid</c> out.</summary>
    public const ulong MaxPasid = (1UL << 20) - 1;

    public static readonly IReadOnlyList<string> Ops = Enum.GetValues<StepOp>().Select(o => o.ToString().ToLowerInvariant()).ToList();

    private static readonly Dictionary<StepOp, string[]> KeysByOp = new()
    {
        [StepOp.Attach] = ["op", "expect", "device", "domain", "pasid"],
        [StepOp.Detach] = ["op", "expect", "device", "domain", "pasid"],
        [StepOp.Map] = ["op", "expect", "domain", "iova", "pa", "size", "prot", "writable"],
        [StepOp.Unmap] = ["op", "expect", "domain", "iova", "size"],
        [StepOp.Dma] = ["op", "expect", "device", "iova", "size", "access", "pasid"],
        [StepOp.Flush] = ["op", "expect", "domain"],
        [StepOp.Wait] = ["op", "expect", "time"],
        [StepOp.Workload] = Workloads.WorkloadStepParser.Keys,
    };

    private static readonly string[] DmaExpectations = ["ok", "fault", "error"];
    private static readonly string[] StepExpectations = ["ok", "error"];
    private static readonly string[] Accesses = ["read", "write"];
    private static readonly string[] Prots = ["r", "rw"];

    public static ScenarioStep Parse(TomlTableReader t, int index, List<SmmuSpec> smmus, List<DeviceSpec> devices, List<DomainSpec> domains,
        Machines.MemoryMap memory)
    {
        var opName = t.Choice("op", Ops, "step op") ?? throw t.Missing("op");
        var op = Enum.Parse<StepOp>(opName, ignoreCase: true);
        t.AllowOnly(KeysByOp[op]);
        var expectText = t.Choice("expect", op == StepOp.Dma ? DmaExpectations : StepExpectations, $"expectation for {opName}");
        var expect = expectText switch
        {
            "ok" => StepExpectation.Ok,
            "fault" => StepExpectation.Fault,
            "error" => StepExpectation.Error,
            _ => op == StepOp.Dma ? StepExpectation.Any : StepExpectation.Ok,
        };
        var line = t.HeaderLine;
        switch (op)
        {
            case StepOp.Attach:
                {
                    var device = Device(t, devices);
                    return new AttachStep(index, line, expect, device.Name, Domain(t, domains, required: true)!, Pasid(t, device, smmus));
                }

            case StepOp.Detach:
                {
                    var device = Device(t, devices);
                    return new DetachStep(index, line, expect, device.Name, Domain(t, domains, required: false), Pasid(t, device, smmus));
                }

            case StepOp.Map:
                {
                    var domain = Domain(t, domains, required: true)!;
                    var (iova, size) = Range(t, pageAligned: true);
                    var pa = t.UInt("pa", MaxPa) ?? throw t.Missing("pa");
                    CheckAligned(t, "pa", pa);
                    if (pa + size - 1 > MaxPa)
                    {
                        throw t.Fail("size", $"pa 0x{pa:x} + size 0x{size:x} runs past the 52-bit physical address space");
                    }

                    var writable = Writable(t);
                    if (memory.BufferProblem(pa, size) is { } where && MapsPhysical(domains.First(d => d.Name == domain)))
                    {
                        throw t.Fail("pa", where);
                    }

                    return new MapStep(index, line, expect, domain, iova, pa, size, writable);
                }

            case StepOp.Unmap:
                {
                    var domain = Domain(t, domains, required: true)!;
                    var (iova, size) = Range(t, pageAligned: true);
                    return new UnmapStep(index, line, expect, domain, iova, size);
                }

            case StepOp.Flush:
                return new FlushStep(index, line, expect, Domain(t, domains, required: true)!);

            case StepOp.Wait:
                return new WaitStep(index, line, expect, t.Duration("time") ?? throw t.Missing("time"));

            case StepOp.Workload:
                return Workloads.WorkloadStepParser.Parse(t, index, expect, Device(t, devices), memory);

            default:
                {
                    var device = Device(t, devices);
                    var (iova, size) = Range(t, pageAligned: false);
                    if (size > memory.RamEnd - memory.RamStart)
                    {
                        throw t.Fail("size", $"0x{size:x} bytes is more than the machine's RAM ({memory})");
                    }

                    var access = t.Choice("access", Accesses, "access") ?? throw t.Missing("access");
                    return new DmaStep(index, line, expect, device.Name, iova, size, access == "write", Pasid(t, device, smmus));
                }
        }
    }

    /// <summary>Whether a domain's map step writes a physical address (a guest's stage 1 maps to intermediate addresses).</summary>
    private static bool MapsPhysical(DomainSpec domain) => domain.Kind is "s1" or "s2" or "nest-parent" or "sva";

    private static DeviceSpec Device(TomlTableReader t, List<DeviceSpec> devices)
    {
        var name = t.RequireString("device");
        return devices.FirstOrDefault(d => d.Name == name) ?? throw ScenarioParser.Undefined(t, "device", name, devices.Select(d => d.Name));
    }

    private static string? Domain(TomlTableReader t, List<DomainSpec> domains, bool required)
    {
        var name = required ? t.RequireString("domain") : t.String("domain");
        if (name is not null && domains.All(d => d.Name != name))
        {
            throw ScenarioParser.Undefined(t, "domain", name, domains.Select(d => d.Name));
        }

        return name;
    }

    private static uint? Pasid(TomlTableReader t, DeviceSpec device, List<SmmuSpec> smmus)
    {
        var pasid = t.UInt("pasid", MaxPasid);
        if (pasid is null)
        {
            return null;
        }

        if (pasid == 0)
        {
            throw t.Fail("pasid", "PASID 0 is the RID (IOMMU_NO_PASID): leave pasid out");
        }

        var bits = ScenarioFeatures.SubstreamIdBits(smmus.First(s => s.Name == device.Smmu));
        return pasid >> bits != 0
            ? throw t.Fail("pasid", $"PASID {pasid} does not fit {device.Smmu}'s {bits} SubstreamID bits")
            : (uint)pasid;
    }

    private static (ulong Iova, ulong Size) Range(TomlTableReader t, bool pageAligned)
    {
        var iova = t.UInt("iova", long.MaxValue) ?? throw t.Missing("iova");
        var size = t.UInt("size", long.MaxValue) ?? throw t.Missing("size");
        if (size == 0)
        {
            throw t.Fail("size", "must not be zero");
        }

        if (pageAligned)
        {
            CheckAligned(t, "iova", iova);
            CheckAligned(t, "size", size);
        }

        return iova + size - 1 < iova
            ? throw t.Fail("size", $"iova 0x{iova:x} + size 0x{size:x} wraps around")
            : (iova, size);
    }

    private static void CheckAligned(TomlTableReader t, string key, ulong value)
    {
        if (value % PageSize != 0)
        {
            throw t.Fail(key, $"0x{value:x} is not 4 KiB aligned");
        }
    }

    private static bool Writable(TomlTableReader t)
    {
        var prot = t.Choice("prot", Prots, "prot");
        var writable = t.Bool("writable");
        if (prot is not null && writable is not null && (prot == "rw") != writable)
        {
            throw t.Fail("writable", $"contradicts prot = \"{prot}\"");
        }

        return writable ?? prot != "r";
    }
}
