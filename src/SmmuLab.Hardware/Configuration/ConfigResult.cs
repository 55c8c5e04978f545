namespace SmmuLab.Hardware.Configuration;

/// <summary>
/// The configuration a transaction uses, or why it has none. <see cref="Context"/> is null when
/// stage 1 does not translate (Config 0b1x0, or STE.S1DSS = bypass for a transaction without a
/// SubstreamID).
/// </summary>
internal readonly struct ConfigResult
{
    private ConfigResult(ConfigStatus status, StreamConfig? stream, ContextConfig? context, ConfigFault fault)
    {
        Status = status;
        Stream = stream;
        Context = context;
        Fault = fault;
    }

    public ConfigStatus Status { get; }

    public StreamConfig? Stream { get; }

    public ContextConfig? Context { get; }

    public ConfigFault Fault { get; }

    public bool IsOk => Status == ConfigStatus.Ok;

    /// <summary>True when stage 1 translates this transaction (a CD was selected).</summary>
    public bool Stage1Translates => Context is not null;

    public static ConfigResult Success(StreamConfig stream, ContextConfig? context = null) =>
        new(ConfigStatus.Ok, stream, context, default);

    public static ConfigResult Failed(in ConfigFault fault, StreamConfig? stream = null, ContextConfig? context = null) =>
        new(ConfigStatus.Fault, stream, context, fault);

    public static ConfigResult Aborted(in ConfigFault fault, StreamConfig? stream = null) =>
        new(ConfigStatus.Abort, stream, null, fault);

    public override string ToString() => Status switch
    {
        ConfigStatus.Ok => $"ok {Stream?.Kind}{(Context is null ? string.Empty : $" cd{Context.Index}")}",
        _ => $"{Status} {Fault.Event} ({Fault.Reason}) sid=0x{Fault.StreamId:x}",
    };
}
