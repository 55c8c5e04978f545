namespace SmmuLab.Replay.Diagnostics;

/// <summary>Why a line was not turned into an event. Every such line is counted under one of these.</summary>
public enum TraceProblem
{
    /// <summary>Not a comment, meta line or event line: no <c>task-pid [CPU] time: name:</c> context.</summary>
    MalformedContext,

    /// <summary>A well-formed event line of an event this parser does not model (<c>sched_switch</c>, …).</summary>
    UnsupportedEvent,

    /// <summary>A DMA or IOMMU event whose payload lacks a field the format prints, or has an unreadable value.</summary>
    MalformedPayload,

    /// <summary>trace-cmd could not render the event (<c>[FAILED TO PARSE]</c> and a raw field dump).</summary>
    FailedToParse,

    /// <summary>The last line of the input, cut before its newline, that does not parse.</summary>
    TruncatedLine,

    /// <summary>Longer than the configured maximum; skipped up to its newline.</summary>
    LineTooLong,

    /// <summary>Control characters or binary data where text was expected.</summary>
    Garbage,
}
