namespace SmmuLab.Architecture.Commands;

/// <summary>Command opcodes (IHI0070 4.1-4.7), dword0 [7:0]. Linux: <c>CMDQ_OP_*</c>.</summary>
public enum Opcode : byte
{
    CMD_PREFETCH_CONFIG = 0x01,
    CMD_PREFETCH_ADDR = 0x02,
    CMD_CFGI_STE = 0x03,

    /// <summary>CMD_CFGI_STE_RANGE; with Range = 31 it is CMD_CFGI_ALL (Linux <c>CMDQ_OP_CFGI_ALL</c>).</summary>
    CMD_CFGI_STE_RANGE = 0x04,
    CMD_CFGI_CD = 0x05,
    CMD_CFGI_CD_ALL = 0x06,
    CMD_TLBI_NH_ALL = 0x10,
    CMD_TLBI_NH_ASID = 0x11,
    CMD_TLBI_NH_VA = 0x12,
    CMD_TLBI_NH_VAA = 0x13,
    CMD_TLBI_EL3_ALL = 0x18,
    CMD_TLBI_EL3_VA = 0x1A,
    CMD_TLBI_EL2_ALL = 0x20,
    CMD_TLBI_EL2_ASID = 0x21,
    CMD_TLBI_EL2_VA = 0x22,
    CMD_TLBI_EL2_VAA = 0x23,
    CMD_TLBI_S12_VMALL = 0x28,
    CMD_TLBI_S2_IPA = 0x2A,
    CMD_TLBI_NSNH_ALL = 0x30,
    CMD_ATC_INV = 0x40,
    CMD_PRI_RESP = 0x41,
    CMD_RESUME = 0x44,
    CMD_STALL_TERM = 0x45,
    CMD_SYNC = 0x46,
}

/// <summary>CMD_SYNC.CS completion signal.</summary>
public enum SyncCompletion : byte
{
    /// <summary>No signal: software polls CMDQ_CONS.</summary>
    SIG_NONE = 0,

    /// <summary>Signal with an MSI write of MSIData to MSIAddress.</summary>
    SIG_IRQ = 1,

    /// <summary>Signal with a WFE wake-up event.</summary>
    SIG_SEV = 2,
}

/// <summary>CMD_PRI_RESP.Resp values.</summary>
public enum PriResponse : byte
{
    Deny = 0,
    Fail = 1,
    Success = 2,
}

/// <summary>CMD_RESUME.Ac values.</summary>
public enum ResumeAction : byte
{
    Term = 0,
    Retry = 1,
    Abort = 2,
}
