namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// Why a configuration lookup failed: which architectural rule was hit (IHI0070 5.1-5.4, 7.3).
/// The event type follows from the reason; the reason is kept for traces and tests.
/// </summary>
public enum ConfigFaultReason : byte
{
    None,

    // C_BAD_STREAMID (7.3.3)

    /// <summary>StreamID &gt;= 2^MIN(LOG2SIZE, SIDSIZE).</summary>
    StreamIdOutOfRange,

    /// <summary>L1STD.Span = 0, or a Reserved Span (12-31).</summary>
    L1StdInvalid,

    /// <summary>L1STD.Span &gt; SPLIT + 1.</summary>
    L1StdSpanTooLarge,

    /// <summary>StreamID[SPLIT-1:0] &gt;= 2^(Span-1).</summary>
    StreamIdOutsideSpan,

    // F_STE_FETCH / F_CD_FETCH

    /// <summary>An L1STD or STE read aborted or was out of range.</summary>
    SteFetchAbort,

    /// <summary>An L1CD or CD read aborted or was out of range.</summary>
    CdFetchAbort,

    // C_BAD_STE (5.2.2 SteIllegal, in its order)

    SteNotValid,
    Stage1NotImplemented,
    Stage2NotImplemented,
    EatsSplitStageIllegal,
    EatsFullWithS2Stall,
    StrwReserved,
    S1StallDisableWithoutStallModel,
    S1CDMaxTooLarge,
    S1FmtTwoLevelNotSupported,
    S1ContextPtrOutOfRange,
    S2StallNotSupported,
    S2StallForced,
    S2AArch32NotSupported,
    S2HttuNotSupported,
    S2GranuleInvalid,
    S2TtbOutOfRange,
    S2T0SZOutOfRange,
    S2StartLevelInconsistent,
    S2EndiannessNotSupported,
    S2VmidTooWide,

    // C_BAD_SUBSTREAMID (7.3.9)

    /// <summary>A SubstreamID with stage 1 disabled (Config 0b1x0).</summary>
    SsidWithoutStage1,

    /// <summary>A SubstreamID with substreams unsupported (SSIDSIZE = 0) or disabled (S1CDMax = 0).</summary>
    SsidWithSubstreamsDisabled,

    /// <summary>SubstreamID &gt;= 2^S1CDMax.</summary>
    SsidOutOfRange,

    /// <summary>The L1CD that locates the CD has V = 0.</summary>
    L1CdInvalid,

    /// <summary>The L1CD.L2Ptr is outside the IAS/OAS.</summary>
    L1CdPointerOutOfRange,

    // F_STREAM_DISABLED (7.3.7)

    /// <summary>No SubstreamID, S1CDMax &gt; 0 and S1DSS = terminate.</summary>
    NonSubstreamTrafficTerminated,

    /// <summary>SubstreamID 0 with S1DSS = 0b10 (CD 0 is reserved for non-substream traffic).</summary>
    Substream0Reserved,

    // Stage-2 fault on a CD or L1CD fetch (CLASS = CD)

    /// <summary>The IPA of an L1CD or CD did not translate at stage 2; see <see cref="ConfigFault.Stage2"/>.</summary>
    CdFetchStage2Fault,

    // C_BAD_CD (5.4.2 CdIllegal, in its order)

    CdNotValid,
    CdStallDisabledBySte,
    CdTerminateModelRequiresAbort,
    CdStallNotSupported,
    CdStallForced,
    CdEndiannessNotSupported,
    CdAArch32NotSupported,
    CdHttuNotSupported,
    CdAsidTooWide,
    CdT0SZOutOfRange,
    CdT1SZOutOfRange,
    CdTg0Invalid,
    CdTtb0OutOfRange,
    CdTg1Invalid,
    CdTtb1OutOfRange,

    // Silent aborts

    /// <summary>STE.Config = 0b0xx: terminated, no event.</summary>
    StreamAbort,
}
