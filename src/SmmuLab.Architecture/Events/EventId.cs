namespace SmmuLab.Architecture.Events;

/// <summary>Event record types (IHI0070 7.3). Linux: <c>EVT_ID_*</c>.</summary>
public enum EventId : byte
{
    F_UUT = 0x01,
    C_BAD_STREAMID = 0x02,
    F_STE_FETCH = 0x03,
    C_BAD_STE = 0x04,
    F_BAD_ATS_TREQ = 0x05,
    F_STREAM_DISABLED = 0x06,
    F_TRANSL_FORBIDDEN = 0x07,
    C_BAD_SUBSTREAMID = 0x08,
    F_CD_FETCH = 0x09,
    C_BAD_CD = 0x0A,
    F_WALK_EABT = 0x0B,
    F_TRANSLATION = 0x10,
    F_ADDR_SIZE = 0x11,
    F_ACCESS = 0x12,
    F_PERMISSION = 0x13,
    F_TLB_CONFLICT = 0x20,
    F_CFG_CONFLICT = 0x21,
    E_PAGE_REQUEST = 0x24,
    F_VMS_FETCH = 0x25,
}

/// <summary>Event CLASS field: which access faulted.</summary>
public enum FaultClass : byte
{
    /// <summary>CD fetch.</summary>
    CD = 0,

    /// <summary>Stage-1 translation table fetch.</summary>
    TT = 1,

    /// <summary>The input address itself.</summary>
    IN = 2,
}
