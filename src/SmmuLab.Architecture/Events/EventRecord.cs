using SmmuLab.Architecture.Bits;
using SmmuLab.Architecture.Memory;

namespace SmmuLab.Architecture.Events;

/// <summary>
/// The 32-byte event queue record (IHI0070 7.3): four double words. Linux: <c>EVTQ_*</c>.
/// </summary>
public readonly record struct EventRecord(ulong Dw0, ulong Dw1, ulong Dw2, ulong Dw3)
{
    public const int Dwords = 4;
    public const int Bytes = 32;

    public static readonly Field Type = new("type", 0, 0, 8);
    public static readonly Field SSV = new("SSV", 0, 11, 1);
    public static readonly Field SubstreamID = new("SubstreamID", 0, 12, 20);
    public static readonly Field StreamID = new("StreamID", 0, 32, 32);
    public static readonly Field STAG = new("STAG", 1, 0, 16);
    public static readonly Field Stall = new("Stall", 1, 31, 1);
    public static readonly Field PnU = new("PnU", 1, 33, 1);
    public static readonly Field InD = new("InD", 1, 34, 1);
    public static readonly Field RnW = new("RnW", 1, 35, 1);
    public static readonly Field S2 = new("S2", 1, 39, 1);
    public static readonly Field CLASS = new("CLASS", 1, 40, 2);
    public static readonly Field TTRnW = new("TTRnW", 1, 44, 1);
    public static readonly Field InputAddr = new("InputAddr", 2, 0, 64);

    /// <summary>IPA [55:12] for translation-class faults at stage 2.</summary>
    public static readonly Field IPA = new("IPA", 3, 12, 44, FieldKind.Address);

    /// <summary>FetchAddr [55:3] for fetch faults; shares dw3 with IPA.</summary>
    public static readonly Field FetchAddr = new("FetchAddr", 3, 3, 53, FieldKind.Address);

    /// <summary>The fields of a translation-class record (F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION).</summary>
    public static readonly Layout TranslationLayout = new("EVENT", Dwords,
        Type, SSV, SubstreamID, StreamID, STAG, Stall, PnU, InD, RnW, S2, CLASS, TTRnW, InputAddr, IPA);

    /// <summary>The fields of a fetch-fault record (F_STE_FETCH, F_CD_FETCH, F_WALK_EABT...).</summary>
    public static readonly Layout FetchLayout = new("EVENT", Dwords,
        Type, SSV, SubstreamID, StreamID, STAG, Stall, PnU, InD, RnW, S2, CLASS, TTRnW, InputAddr, FetchAddr);

    public EventId Id => (EventId)(byte)Dw0;

    public uint Sid => (uint)StreamID.Get(Dw0);

    public bool SsidValid => SSV.IsSet(Dw0);

    public uint Ssid => (uint)SubstreamID.Get(Dw0);

    public ulong Address => Dw2;

    public bool IsStage2 => S2.IsSet(Dw1);

    public FaultClass Class => (FaultClass)CLASS.Get(Dw1);

    public bool IsRead => RnW.IsSet(Dw1);

    public ulong Ipa => IPA.GetAddress(Dw3);

    public ulong Fetch => FetchAddr.GetAddress(Dw3);

    /// <summary>The layout a decoder should use for this record's type.</summary>
    public static Layout LayoutFor(EventId id) => id is EventId.F_STE_FETCH or EventId.F_CD_FETCH or EventId.F_WALK_EABT
        or EventId.F_VMS_FETCH ? FetchLayout : TranslationLayout;

    /// <summary>A record with the identification fields set; callers add the rest.</summary>
    public static EventRecord Create(EventId id, uint sid, uint? ssid = null) =>
        new((ulong)id | StreamID.Make(sid) | (ssid is { } s ? SSV.Make(1) | SubstreamID.Make(s) : 0), 0, 0, 0);

    public EventRecord WithAccess(bool read, bool instruction, bool privileged) =>
        this with { Dw1 = RnW.Insert(InD.Insert(PnU.Insert(Dw1, privileged ? 1UL : 0), instruction ? 1UL : 0), read ? 1UL : 0) };

    public EventRecord WithFault(bool stage2, FaultClass cls) =>
        this with { Dw1 = CLASS.Insert(S2.Insert(Dw1, stage2 ? 1UL : 0), (ulong)cls) };

    /// <summary>Reads the event queue record at <paramref name="pa"/> (software's view: the memory is backed).</summary>
    public static EventRecord ReadFrom(IPhysicalMemory memory, ulong pa) =>
        new(memory.Read64(pa), memory.Read64(pa + 8), memory.Read64(pa + 16), memory.Read64(pa + 24));

    /// <summary>
    /// Writes this record as the event queue entry at <paramref name="pa"/>, as an SMMU does; false
    /// when the write aborts (no memory there: GERROR.EVENTQ_ABT_ERR). Written one double word at a
    /// time, each single-copy atomic; a queue entry is aligned to its size, so it does not straddle
    /// the end of a RAM region and aborts as a whole.
    /// </summary>
    public bool TryWriteTo(IDeviceMemory memory, ulong pa) =>
        memory.TryWrite64(pa, Dw0) && memory.TryWrite64(pa + 8, Dw1) && memory.TryWrite64(pa + 16, Dw2) && memory.TryWrite64(pa + 24, Dw3);

    public override string ToString() => $"{Id} sid=0x{Sid:x}{(SsidValid ? $" ssid=0x{Ssid:x}" : string.Empty)} addr=0x{Address:x}";
}
