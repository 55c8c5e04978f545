namespace SmmuLab.Replay.Engine;

/// <summary>The replay machine could not be built (an SMMU the driver does not probe).</summary>
public sealed class ReplaySetupException(string message) : Exception(message);
