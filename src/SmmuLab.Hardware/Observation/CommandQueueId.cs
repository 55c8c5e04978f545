namespace SmmuLab.Hardware.Observation;

/// <summary>The queue a command was consumed from: the SMMU's own CMDQ, or a Tegra241 CMDQV VCMDQ by its global index.</summary>
public readonly record struct CommandQueueId
{
    private CommandQueueId(int vcmdq) => Vcmdq = vcmdq;

    /// <summary>The SMMU's Non-secure command queue (SMMU_CMDQ_*).</summary>
    public static CommandQueueId Cmdq => new(-1);

    /// <summary>The VCMDQ of global index <paramref name="index"/>.</summary>
    public static CommandQueueId OfVcmdq(int index) =>
        index >= 0 ? new(index) : throw new ArgumentOutOfRangeException(nameof(index), index, "a VCMDQ index is not negative");

    /// <summary>The VCMDQ's global index, or -1 for the CMDQ.</summary>
    public int Vcmdq { get; }

    public bool IsCmdq => Vcmdq < 0;

    /// <summary><c>cmdq</c> or <c>vcmdqN</c>, as traces name queues.</summary>
    public override string ToString() => IsCmdq ? "cmdq" : $"vcmdq{Vcmdq}";
}
