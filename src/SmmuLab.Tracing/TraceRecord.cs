using SmmuLab.Architecture.Commands;
using SmmuLab.Architecture.Events;
using SmmuLab.Encoding;

namespace SmmuLab.Tracing;

/// <summary>
/// The trace schema: one record per JSON Lines object. Every object has <c>step</c> (the index of
/// the [[step]] being run, <see cref="SetupStep"/> during setup and probe, <see cref="TeardownStep"/>
/// while the machine is torn down after the last step) and <c>kind</c>, which picks the derived
/// record; a line outside every step also has <c>phase</c> (<c>"setup"</c> or <c>"teardown"</c>).
/// <see cref="TraceWriter"/> writes these records and <see cref="TraceReader"/> reads them
/// back; what a line holds beyond a record's properties (a command's decoded fields, an event's
/// type and addresses, the phase) is derived when written and not read back.
/// </summary>
public abstract record TraceRecord(int Step)
{
    /// <summary>The <c>step</c> of what happens while the SMMUs, devices and domains are built (the driver's probe).</summary>
    public const int SetupStep = -1;

    /// <summary>The <c>step</c> of what happens after the last step, while the machine is torn down (detaches, queue shutdown).</summary>
    public const int TeardownStep = -2;

    /// <summary>The <c>kind</c> of the line: command, event, dma, step or violation.</summary>
    public abstract string Kind { get; }

    /// <summary>The <c>phase</c> of a line outside every step: "setup", "teardown"; null for a step's lines.</summary>
    public static string? PhaseOf(int step) => step switch
    {
        SetupStep => "setup",
        TeardownStep => "teardown",
        _ => null,
    };
}

/// <summary>
/// <c>{"step":3,"kind":"command","smmu":"smmu0","queue":"cmdq","op":"TLBI_NH_VA","dw0":"0x..","dw1":"0x..","num":"0x..",...}</c>:
/// a command an SMMU consumed, in consumption order, followed by every field of the opcode's layout
/// by its lower-case spec name, as a hex string. <c>"reserved_bits":true</c> follows <c>dw1</c> when
/// the SMMU executed the command with reserved bits set, ignoring them (IHI0070 4.1.5).
/// </summary>
public sealed record CommandTraceRecord(int Step, string Smmu, string Queue, Command Command, bool ReservedBits = false) : TraceRecord(Step)
{
    public const string KindName = "command";

    /// <summary>The queue of an SMMU's own command queue.</summary>
    public const string CommandQueue = "cmdq";

    public override string Kind => KindName;

    /// <summary>The line's <c>op</c>: see <see cref="OpName"/>.</summary>
    public string Op => OpName(Command.Opcode);

    /// <summary>The short opcode name (<c>TLBI_NH_VA</c>), or the opcode byte in hex when the architecture reserves it.</summary>
    public static string OpName(Opcode op) => OpcodeNames.ShortName(op) ?? $"0x{(byte)op:x}";
}

/// <summary>
/// <c>{"step":N,"kind":"event","smmu":..,"type":"F_TRANSLATION","sid":..,"ssid":..,"addr":..,"read":..,"s2":..,"class":..,"ipa":..,"dw0":..,"dw3":..}</c>:
/// an event record an SMMU wrote to its event queue.
/// </summary>
public sealed record EventTraceRecord(int Step, string Smmu, EventRecord Event) : TraceRecord(Step)
{
    public const string KindName = "event";

    public override string Kind => KindName;
}

/// <summary>
/// <c>{"step":N,"kind":"dma","device":..,"access":"read","iova":..,"size":..,"pasid":..,"ok":..,"bytes":..,"fault":..}</c>:
/// a dma step's outcome (<c>pasid</c> only when the DMA used one; <c>fault</c> null when none).
/// </summary>
public sealed record DmaTraceRecord(int Step, string Device, bool Write, ulong Iova, ulong Size, uint? Pasid, bool Ok, ulong Bytes, string? Fault)
    : TraceRecord(Step)
{
    public const string KindName = "dma";

    public override string Kind => KindName;
}

/// <summary>
/// <c>{"step":N,"kind":"step","op":"map","line":27,"description":..,"passed":true,"outcome":"ok"}</c>:
/// the result of a step, written when it ends.
/// </summary>
public sealed record StepTraceRecord(int Step, string Op, int Line, string Description, bool Passed, string Outcome) : TraceRecord(Step)
{
    public const string KindName = "step";

    public override string Kind => KindName;
}

/// <summary>
/// <c>{"step":N,"kind":"violation","violation":"stale","device":..,"smmu":..,"sid":..,"pasid":..,"iova":..,"pa":..,"access":"read",
/// "from_atc":true,"domain":..}</c>, then for a stale access the <see cref="TraceKill"/> keys: a page of DMA the
/// stale-translation oracle rejected (<c>smmu</c> and <c>pasid</c> only when known).
/// </summary>
public sealed record ViolationTraceRecord(
    int Step,
    string Violation,
    string Device,
    string? Smmu,
    uint Sid,
    uint? Pasid,
    ulong Iova,
    ulong Pa,
    bool Write,
    bool FromAtc,
    string Domain,
    TraceKill? Kill) : TraceRecord(Step)
{
    public const string KindName = "violation";

    public override string Kind => KindName;
}

/// <summary>
/// What ended a stale translation: <c>"killed_domain":..,"killed_step":2,"killed_by":"unmap dom 0x10000+0x1000",
/// "commands":[{"step":2,"op":"SYNC","dw0":..,"dw1":..}],"commands_dropped":false</c>.
/// </summary>
/// <param name="Domain">The domain whose mapping was used.</param>
/// <param name="Step">The step of the unmap, attach or detach that ended it.</param>
/// <param name="By">What that step did.</param>
/// <param name="Commands">The commands the SMMU consumed from that step up to the access.</param>
/// <param name="CommandsDropped">Older commands of that window were no longer remembered.</param>
public sealed record TraceKill(string? Domain, int Step, string By, ValueList<TraceKillCommand> Commands, bool CommandsDropped);

/// <summary>One of a <see cref="TraceKill"/>'s commands, with the op name the oracle gave it.</summary>
public sealed record TraceKillCommand(int Step, string Op, Command Command);
