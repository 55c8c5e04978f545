namespace SmmuLab.Hardware.Smmu;

/// <summary>What a register write does besides storing its value.</summary>
internal enum RegisterEffect : byte
{
    None,

    /// <summary>CR0: CR0ACK follows at once; setting CMDQEN starts command consumption; changing SMMUEN changes every translation.</summary>
    Cr0,

    /// <summary>GBPA: with SMMUEN = 0 a completed update changes every transaction's bypass attributes or abort.</summary>
    Gbpa,

    /// <summary>GERRORN: acknowledging CMDQ_ERR restarts command consumption.</summary>
    Gerrorn,

    /// <summary>CMDQ_PROD: new commands to consume, if the queue is enabled.</summary>
    CmdqProd,
}
