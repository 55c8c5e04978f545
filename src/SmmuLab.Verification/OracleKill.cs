namespace SmmuLab.Verification;

/// <summary>
/// The software action that ended a translation: an unmap that returned, or an attach/detach that
/// moved a device away from a domain.
/// </summary>
/// <remarks>
/// An unmap's description is written only when it is read (<see cref="Unmap"/>): the oracle keeps
/// one per unmap, and almost none is ever reported, so a million unmaps format no strings.
/// </remarks>
public readonly record struct OracleKill
{
    private readonly string? description;
    private readonly string? unmapDomain;
    private readonly ulong unmapIova;
    private readonly ulong unmapSize;

    /// <param name="step">The step index when it happened (-1 outside a scenario's steps).</param>
    /// <param name="description">What was done, e.g. <c>unmap dom 0x10000+0x2000</c> or <c>detach nic</c>.</param>
    /// <param name="firstCommand">
    /// The oracle's sequence number of the first command consumed in that step: the commands from there
    /// on are the ones that should have removed the translation.
    /// </param>
    public OracleKill(int step, string description, long firstCommand)
    {
        ArgumentNullException.ThrowIfNull(description);
        Step = step;
        FirstCommand = firstCommand;
        this.description = description;
    }

    private OracleKill(int step, string domain, ulong iova, ulong size, long firstCommand)
    {
        Step = step;
        FirstCommand = firstCommand;
        unmapDomain = domain;
        unmapIova = iova;
        unmapSize = size;
    }

    /// <summary>The step index when it happened (-1 outside a scenario's steps).</summary>
    public int Step { get; }

    /// <summary>What was done, e.g. <c>unmap dom 0x10000+0x2000</c> or <c>detach nic</c>.</summary>
    public string Description => description ?? $"unmap {unmapDomain} 0x{unmapIova:x}+0x{unmapSize:x}";

    /// <summary>The oracle's sequence number of the first command consumed in that step: the commands from there on should have removed the translation.</summary>
    public long FirstCommand { get; }

    /// <summary>An unmap of [<paramref name="iova"/>, +<paramref name="size"/>) of <paramref name="domain"/> that returned; described as <c>unmap dom 0x10000+0x2000</c>.</summary>
    public static OracleKill Unmap(int step, string domain, ulong iova, ulong size, long firstCommand) => new(step, domain, iova, size, firstCommand);

    public string Format() => $"{(Step < 0 ? "setup" : $"#{Step}")} ({Description})";
}
