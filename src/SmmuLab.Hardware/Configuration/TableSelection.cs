using SmmuLab.Architecture.Events;
using SmmuLab.Hardware.Translation;

namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Which stage-1 translation table an input address uses (<see cref="ContextConfig.SelectTable"/>),
/// or a stage-1 F_TRANSLATION when the address is in neither VA range or its table is disabled.
/// </summary>
/// <param name="Ok">True when a table was selected.</param>
/// <param name="Table">0 for TTB0, 1 for TTB1 (meaningless when not <paramref name="Ok"/>).</param>
/// <param name="Parameters">The selected table's walk parameters.</param>
internal readonly record struct TableSelection(bool Ok, int Table, WalkParameters Parameters)
{
    /// <summary>The stage-1 fault to report when no table could be selected (S2 = 0, CLASS = IN).</summary>
    public WalkResult Fault => Ok ? default : WalkResult.Faulted(EventId.F_TRANSLATION, false, FaultClass.IN);

    public static TableSelection None => new(false, -1, default);
}
