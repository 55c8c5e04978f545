namespace SmmuLab.Verification;

/// <summary>
/// The software action that ended a translation: an unmap that returned, or an attach/detach that
/// moved a device away from a domain.
/// </summary>
/// <param name="Step">The step index when it happened (-1 outside a scenario's steps).</param>
/// <param name="Description">What was done, e.g. <c>unmap dom 0x10000+0x2000</c> or <c>detach nic</c>.</param>
/// <param name="FirstCommand">
/// The oracle's sequence number of the first command consumed in that step: the commands from there
/// on are the ones that should have removed the translation.
/// </param>
public readonly record struct OracleKill(int Step, string Description, long FirstCommand)
{
    public string Format() => $"{(Step < 0 ? "setup" : $"#{Step}")} ({Description})";
}
