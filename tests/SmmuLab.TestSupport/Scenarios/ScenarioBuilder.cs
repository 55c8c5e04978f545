using System.Globalization;

namespace SmmuLab.TestSupport.Scenarios;

/// <summary>
/// Builds scenario TOML text one table at a time, in the order the calls are made, one key per
/// line and no blank lines, so a test can tell which line a table or step starts on. Numbers that
/// are addresses or sizes are written in hex, identifiers in decimal.
/// </summary>
public sealed class ScenarioBuilder
{
    private readonly List<string> lines = [];

    /// <summary>The top-level <c>invalidation</c> key (a design name).</summary>
    public ScenarioBuilder Invalidation(string design) => Add($"invalidation = {Quote(design)}");

    /// <summary>An <c>[[smmu]]</c> table.</summary>
    public ScenarioBuilder Smmu(string name, params string[] features) =>
        Add("[[smmu]]", $"name = {Quote(name)}", $"features = [{string.Join(", ", features.Select(Quote))}]");

    /// <summary><c>cmdqv = true</c> in the <c>[[smmu]]</c> table just added: a Tegra241 CMDQV beside it.</summary>
    public ScenarioBuilder Cmdqv() => Add("cmdqv = true");

    /// <summary>A <c>[[device]]</c> table; <paramref name="smmu"/> and <paramref name="ats"/> are written only when given.</summary>
    public ScenarioBuilder Device(string name, uint[] sids, string? smmu = null, bool ats = false)
    {
        Add("[[device]]", $"name = {Quote(name)}");
        if (smmu is not null)
        {
            Add($"smmu = {Quote(smmu)}");
        }

        Add($"sids = [{string.Join(", ", sids.Select(s => Hex(s)))}]");
        return ats ? Add("ats = true") : this;
    }

    /// <summary>A <c>[[domain]]</c> table; the ASID or VMID is pinned only when given.</summary>
    public ScenarioBuilder Domain(string name, string kind, int? asid = null, int? vmid = null)
    {
        Add("[[domain]]", $"name = {Quote(name)}", $"kind = {Quote(kind)}");
        if (asid is { } a)
        {
            Add($"asid = {a.ToString(CultureInfo.InvariantCulture)}");
        }

        return vmid is { } v ? Add($"vmid = {v.ToString(CultureInfo.InvariantCulture)}") : this;
    }

    /// <summary>A nested <c>[[domain]]</c>: the guest's stage 1 (ASID <paramref name="asid"/>) over nest-parent <paramref name="parent"/>.</summary>
    public ScenarioBuilder NestedDomain(string name, string parent, int asid) =>
        Add("[[domain]]", $"name = {Quote(name)}", "kind = \"nested\"", $"parent = {Quote(parent)}", $"asid = {asid.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>One more key in the table just started, its value written as TOML (<c>Key("cmdqv", "true")</c>).</summary>
    public ScenarioBuilder Key(string key, string tomlValue) => Add($"{key} = {tomlValue}");

    /// <summary>An <c>attach</c> step; <paramref name="expect"/> is written only when given.</summary>
    public ScenarioBuilder Attach(string device, string domain, string? expect = null)
    {
        Add("[[step]]", "op = \"attach\"", $"device = {Quote(device)}", $"domain = {Quote(domain)}");
        return Expect(expect);
    }

    /// <summary>A <c>flush</c> step; <paramref name="expect"/> is written only when given.</summary>
    public ScenarioBuilder Flush(string domain, string? expect = null)
    {
        Add("[[step]]", "op = \"flush\"", $"domain = {Quote(domain)}");
        return Expect(expect);
    }

    /// <summary>A <c>detach</c> step.</summary>
    public ScenarioBuilder Detach(string device) => Add("[[step]]", "op = \"detach\"", $"device = {Quote(device)}");

    /// <summary>A <c>map</c> step.</summary>
    public ScenarioBuilder Map(string domain, ulong iova, ulong pa, ulong size) =>
        Add("[[step]]", "op = \"map\"", $"domain = {Quote(domain)}", $"iova = {Hex(iova)}", $"pa = {Hex(pa)}", $"size = {Hex(size)}");

    /// <summary>An <c>unmap</c> step.</summary>
    public ScenarioBuilder Unmap(string domain, ulong iova, ulong size) =>
        Add("[[step]]", "op = \"unmap\"", $"domain = {Quote(domain)}", $"iova = {Hex(iova)}", $"size = {Hex(size)}");

    /// <summary>A <c>dma</c> step; <paramref name="expect"/> ("ok", "fault" or "error") is written only when given.</summary>
    public ScenarioBuilder Dma(string device, ulong iova, ulong size, string access, string? expect = null)
    {
        Add("[[step]]", "op = \"dma\"", $"device = {Quote(device)}", $"iova = {Hex(iova)}", $"size = {Hex(size)}", $"access = {Quote(access)}");
        return Expect(expect);
    }

    /// <summary>Lines of TOML as they are (a <c>[machine]</c> table); nothing when empty.</summary>
    public ScenarioBuilder Raw(string toml) => toml.Length == 0 ? this : Add(toml.Split('\n'));

    /// <summary>A <c>wait</c> step of <paramref name="time"/> ("5ms").</summary>
    public ScenarioBuilder Wait(string time) => Add("[[step]]", "op = \"wait\"", $"time = {Quote(time)}");

    /// <summary>A <c>map</c> step that must be refused (<c>expect = "error"</c>).</summary>
    public ScenarioBuilder MapRefused(string domain, ulong iova, ulong pa, ulong size) => Map(domain, iova, pa, size).Expect("error");

    /// <summary>The text: lines joined by '\n', without a final newline (like a raw string literal).</summary>
    public string ToToml() => string.Join('\n', lines);

    public override string ToString() => ToToml();

    private ScenarioBuilder Expect(string? expect) => expect is null ? this : Add($"expect = {Quote(expect)}");

    private ScenarioBuilder Add(params string[] newLines)
    {
        lines.AddRange(newLines);
        return this;
    }

    private static string Quote(string value) => $"\"{value}\"";

    private static string Hex(ulong value) => $"0x{value.ToString("x", CultureInfo.InvariantCulture)}";
}
