namespace SmmuLab.Exploration;

/// <summary>One exploration of the correct driver: its name (which gives its seed) and one iteration's body.</summary>
/// <param name="Name">The exploration, as its results name it.</param>
/// <param name="Body">One iteration: a fresh machine, its tasks, its checks (<c>Specification.Assert</c>).</param>
public sealed record SystematicExploration(string Name, Func<Task> Body)
{
    public override string ToString() => Name;
}
