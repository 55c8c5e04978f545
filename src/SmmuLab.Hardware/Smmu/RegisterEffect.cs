namespace SmmuLab.Hardware.Smmu;

/// <summary>What a register write does besides storing its value.</summary>
internal enum RegisterEffect : byte
{
    None,

    /// <summary>CR0: CR0ACK follows at once; setting CMDQEN starts command consumption.</summary>
    Cr0,

    /// <summary>GERRORN: acknowledging CMDQ_ERR restarts command consumption.</summary>
    Gerrorn,

    /// <summary>CMDQ_PROD: new commands to consume, if the queue is enabled.</summary>
    CmdqProd,
}
