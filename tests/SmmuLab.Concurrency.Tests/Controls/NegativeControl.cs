namespace SmmuLab.Concurrency.Tests.Controls;

/// <summary>
/// One deliberately broken variant of the driver and the check that must catch it.
/// </summary>
/// <param name="Name">The variant: a broken design or guest in <c>TestSupport/Designs</c>, or a test-only driver switch.</param>
/// <param name="Defect">What it breaks, in the words of issue 11.</param>
/// <param name="CaughtBy">The check or exploration that catches it.</param>
/// <param name="Catch">Runs that check against the variant: returns when the defect was caught, throws when it was missed.</param>
public sealed record NegativeControl(string Name, string Defect, string CaughtBy, Action Catch)
{
    public override string ToString() => Name;
}
