using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SmmuLab.Architecture.Registers;

namespace SmmuLab.Encoding;

/// <summary>
/// Decodes what the Linux arm-smmu-v3 driver prints into the kernel log (<c>dmesg</c>,
/// <c>journalctl -k</c>, a serial console): the raw event dump (<c>event 0xNN received:</c> then
/// one <c>0x%016llx</c> line per double word, from <c>arm_smmu_evtq_thread</c>), the command-queue
/// error report (<c>CMDQ error (cons 0x%08x): ...</c> and <c>skipping command in error state:</c>
/// then the command's two words, from <c>__arm_smmu_cmdq_skip_err</c>), the global error report
/// (<c>unexpected global error reported (0x%08x)</c>, from <c>arm_smmu_gerror_handler</c>), and
/// lines that are already a <c>decode</c> command line (<c>cmd 0x... 0x...</c>). Everything else
/// in the log is skipped and counted. Streams: memory does not grow with the input.
/// </summary>
public sealed partial class KernelLogDecoder
{
    /// <summary>The longest line looked at; a longer one is skipped (a log line is at most about 1 KiB).</summary>
    public const int MaxLineLength = 4096;

    private readonly StringBuilder output = new();
    private readonly List<string> words = [];
    private Pending pending;
    private string pendingLabel = "";
    private long pendingLine;

    /// <summary>Lines read.</summary>
    public long Lines { get; private set; }

    /// <summary>Records decoded (events, commands, CONS and GERROR values, direct decode lines).</summary>
    public int Records { get; private set; }

    /// <summary>Lines that held nothing this decoder reads (most of a kernel log).</summary>
    public long Skipped { get; private set; }

    /// <summary>Records whose words were cut short or malformed; each also has a line in the output.</summary>
    public int Incomplete { get; private set; }

    private enum Pending
    {
        None,
        Event,
        Command,
    }

    /// <summary>
    /// Decodes every line of <paramref name="text"/> and returns the text of the whole decode. Use
    /// <see cref="Decode(TextReader, TextWriter)"/> for a large log.
    /// </summary>
    public static string DecodeAll(string text)
    {
        var writer = new StringWriter();
        new KernelLogDecoder().Decode(new StringReader(text), writer);
        return writer.ToString();
    }

    /// <summary>Decodes every line of <paramref name="reader"/>, writing each record to <paramref name="writer"/> as it completes.</summary>
    public void Decode(TextReader reader, TextWriter writer)
    {
        while (reader.ReadLine() is { } line)
        {
            Feed(line);
            Flush(writer);
        }

        Finish();
        Flush(writer);
    }

    /// <summary>Takes one line of the log.</summary>
    public void Feed(string line)
    {
        Lines++;
        if (line.Length > MaxLineLength)
        {
            Skipped++;
            return;
        }

        var text = StripPrefix(line.AsSpan().Trim().ToString());
        if (pending != Pending.None)
        {
            if (RawWord().Match(text) is { Success: true } word)
            {
                words.Add(word.Groups[1].Value);
                if (words.Count == WordsNeeded(pending))
                {
                    CompletePending();
                }

                return;
            }

            CutShort();
        }

        if (EventHeader().Match(text) is { Success: true } ev)
        {
            Begin(Pending.Event, $"event 0x{ev.Groups[1].Value} received");
        }
        else if (text.Contains("skipping command in error state:", StringComparison.Ordinal))
        {
            Begin(Pending.Command, "command in error state");
        }
        else if (CmdqError().Match(text) is { Success: true } cons)
        {
            DecodeCons(uint.Parse(cons.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture), cons.Groups[2].Value);
        }
        else if (GlobalError().Match(text) is { Success: true } gerror)
        {
            DecodeGerror(uint.Parse(gerror.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        else if (text.Contains("EVTQ overflow detected", StringComparison.Ordinal))
        {
            Records++;
            output.Append(CultureInfo.InvariantCulture, $"line {Lines}: EVTQ overflow: the SMMU dropped event records (EVENTQ_PROD.OVFLG toggled); the events above are not all of them\n");
        }
        else if (!TryDirect(text))
        {
            Skipped++;
        }
    }

    /// <summary>Ends the input: a record still waiting for words is reported as cut short.</summary>
    public void Finish()
    {
        if (pending != Pending.None)
        {
            CutShort();
        }
    }

    private void Flush(TextWriter writer)
    {
        if (output.Length > 0)
        {
            writer.Write(output);
            output.Clear();
        }
    }

    private void Begin(Pending kind, string label)
    {
        pending = kind;
        pendingLabel = label;
        pendingLine = Lines;
        words.Clear();
    }

    private static int WordsNeeded(Pending kind) => StructureDecoder.WordsOf(kind == Pending.Event ? StructureKind.Event : StructureKind.Cmd);

    private void CompletePending()
    {
        var kind = pending == Pending.Event ? "event" : "cmd";
        pending = Pending.None;
        Records++;
        output.Append(CultureInfo.InvariantCulture, $"line {pendingLine}: {pendingLabel}\n");
        var decoded = StructureDecoder.Decode(kind, words);
        output.Append(decoded.IsSuccess ? decoded.Value : $"  cannot decode: {decoded.Error}\n");
        if (!decoded.IsSuccess)
        {
            Incomplete++;
        }
    }

    private void CutShort()
    {
        Incomplete++;
        output.Append(CultureInfo.InvariantCulture,
            $"line {pendingLine}: {pendingLabel}: only {words.Count} of {WordsNeeded(pending)} words followed; not decoded\n");
        pending = Pending.None;
    }

    private void DecodeCons(uint cons, string reason)
    {
        Records++;
        var err = (byte)QueuePointer.ERR.Get(cons);
        var name = Enum.IsDefined((CommandError)err) ? ((CommandError)err).ToString() : "reserved";
        output.Append(CultureInfo.InvariantCulture, $"line {Lines}: SMMU_CMDQ_CONS = 0x{cons:x8} ({reason.Trim()})\n");
        output.Append(CultureInfo.InvariantCulture, $"  ERR [30:24] = 0x{err:x} ({name})\n");
        output.Append(CultureInfo.InvariantCulture, $"  RD  [19:0]  = 0x{QueuePointer.RD.Get(cons):x} (index and wrap bit; the split depends on CMDQ_BASE.LOG2SIZE)\n");
    }

    private void DecodeGerror(uint gerror)
    {
        Records++;
        output.Append(CultureInfo.InvariantCulture, $"line {Lines}: SMMU_GERROR = 0x{gerror:x8}, bits that differ from GERRORN (active errors):\n");
        var known = 0u;
        foreach (var (bit, name) in GerrorBits)
        {
            known |= bit;
            if ((gerror & bit) != 0)
            {
                output.Append(CultureInfo.InvariantCulture, $"  {name} (bit {System.Numerics.BitOperations.TrailingZeroCount(bit)})\n");
            }
        }

        if ((gerror & ~known) != 0)
        {
            output.Append(CultureInfo.InvariantCulture, $"  reserved bits 0x{gerror & ~known:x8}\n");
        }
    }

    /// <summary>A line that is itself a decode command line: a structure name followed by its words.</summary>
    private bool TryDirect(string text)
    {
        var parts = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !StructureDecoder.Kinds.ContainsKey(parts[0]) || !parts.Skip(1).All(IsHexWord))
        {
            return false;
        }

        Records++;
        var decoded = StructureDecoder.Decode(parts[0], parts.Skip(1));
        output.Append(CultureInfo.InvariantCulture, $"line {Lines}: {parts[0]}\n");
        output.Append(decoded.IsSuccess ? decoded.Value : $"  cannot decode: {decoded.Error}\n");
        if (!decoded.IsSuccess)
        {
            Incomplete++;
        }

        return true;
    }

    private static bool IsHexWord(string s)
    {
        var digits = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s.AsSpan(2) : s.AsSpan();
        return digits.Length is > 0 and <= 16 && digits.IndexOfAnyExcept("0123456789abcdefABCDEF_") < 0;
    }

    /// <summary>
    /// The message without what the log put before it: a <c>&lt;level&gt;</c>, a <c>[ seconds]</c>
    /// timestamp, and the <c>driver device: </c> prefix of dev_*() when the driver is arm-smmu-v3.
    /// (Records are found anywhere in a line, so other prefixes only matter to direct decode lines.)
    /// </summary>
    private static string StripPrefix(string line)
    {
        var m = DevicePrefix().Match(line);
        if (m.Success)
        {
            return line[(m.Index + m.Length)..].Trim();
        }

        return LogPrefix().Replace(line, "").Trim();
    }

    /// <summary>The GERROR bits (6.3.17) by name: the model's layout, and the two it does not implement.</summary>
    private static readonly (uint Bit, string Name)[] GerrorBits =
    [
        .. GError.Layout.Fields.Select(f => ((uint)f.InPlaceMask, f.Name)),
        (GError.CMDQP_ERR, nameof(GError.CMDQP_ERR)),
        (GError.DPT_ERR, nameof(GError.DPT_ERR)),
    ];

    [GeneratedRegex(@"\bevent 0x([0-9a-fA-F]{1,2}) received:")]
    private static partial Regex EventHeader();

    /// <summary>A double word printed as <c>\t0x%016llx</c>, at the end of the line whatever precedes it.</summary>
    [GeneratedRegex(@"(?:^|[\s:])(?:0x)?([0-9a-fA-F]{16})\s*$")]
    private static partial Regex RawWord();

    [GeneratedRegex(@"CMDQ error \(cons 0x([0-9a-fA-F]{1,8})\):(.*)$")]
    private static partial Regex CmdqError();

    [GeneratedRegex(@"unexpected global error reported \(0x([0-9a-fA-F]{1,8})\)")]
    private static partial Regex GlobalError();

    [GeneratedRegex(@"^(?:<\d+>)?(?:\[[^\]]*\]\s*)?")]
    private static partial Regex LogPrefix();

    /// <summary>"arm-smmu-v3 arm-smmu-v3.0.auto: " (driver, device, colon) after an optional timestamp or journal prefix.</summary>
    [GeneratedRegex(@"\barm-smmu-v3[^\s:]*(?:\s+[^\s:]+)?:\s")]
    private static partial Regex DevicePrefix();
}
