namespace SmmuLab.Hardware.Configuration;

/// <summary>Outcome of a configuration lookup.</summary>
internal enum ConfigStatus : byte
{
    /// <summary>The transaction may proceed with the returned configuration.</summary>
    Ok,

    /// <summary>The transaction is terminated and the event in <see cref="ConfigResult.Fault"/> is recorded.</summary>
    Fault,

    /// <summary>
    /// The transaction is terminated and no event is recorded (STE.Config = 0b0xx, or an invalid
    /// StreamID with CR2.RECINVSID = 0). <see cref="ConfigResult.Fault"/> still says why.
    /// </summary>
    Abort,
}
