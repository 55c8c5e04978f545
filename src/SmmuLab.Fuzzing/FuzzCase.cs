namespace SmmuLab.Fuzzing;

/// <summary>A fuzz case: actions done in order on a freshly brought-up SMMU.</summary>
public sealed record FuzzCase(IReadOnlyList<FuzzAction> Actions)
{
    /// <summary>One action per line, as the reproducer prints it.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Actions.Select(a => a.ToString()));
}
