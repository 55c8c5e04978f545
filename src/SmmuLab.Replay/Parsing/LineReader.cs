using System.Runtime.CompilerServices;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Reads lines from a <see cref="TextReader"/> into one reusable buffer and hands them out as
/// spans, so reading a line allocates nothing. The buffer grows up to the line-length limit; a
/// longer line is reported once (its beginning) and skipped up to its newline. A span is valid
/// until the next call.
/// </summary>
internal sealed class LineReader : ILineSource
{
    private readonly TextReader reader;
    private readonly int maxLineLength;
    private char[] buffer;
    private int start;
    private int end;
    private bool endOfInput;
    private bool skipping;

    public LineReader(TextReader reader, int maxLineLength, int initialBufferLength = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 16);
        this.reader = reader;
        this.maxLineLength = maxLineLength;
        buffer = new char[Math.Min(Math.Max(initialBufferLength, 16), maxLineLength)];
    }

    /// <summary>The buffer's current length in characters (it never exceeds the line-length limit).</summary>
    public int BufferLength => buffer.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLine(out ReadOnlySpan<char> line, out LineEnding ending)
    {
        line = [];
        ending = LineEnding.Newline;
        if (skipping && !SkipRestOfLine())
        {
            return false;
        }

        var scanFrom = start;
        while (true)
        {
            var rel = buffer.AsSpan(scanFrom, end - scanFrom).IndexOf('\n');
            if (rel >= 0)
            {
                var newline = scanFrom + rel;
                line = WithoutCarriageReturn(buffer.AsSpan(start, newline - start));
                start = newline + 1;
                return true;
            }

            var pending = end - start;
            if (endOfInput)
            {
                if (pending == 0)
                {
                    return false;
                }

                line = WithoutCarriageReturn(buffer.AsSpan(start, pending));
                start = end;
                ending = LineEnding.EndOfInput;
                return true;
            }

            if (pending >= maxLineLength)
            {
                line = buffer.AsSpan(start, pending);
                start = end;
                skipping = true;
                ending = LineEnding.TooLong;
                return true;
            }

            if (start > 0)
            {
                buffer.AsSpan(start, pending).CopyTo(buffer);
                start = 0;
                end = pending;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxLineLength));
            }

            scanFrom = end;
            var read = reader.Read(buffer, end, buffer.Length - end);
            if (read == 0)
            {
                endOfInput = true;
            }
            else
            {
                end += read;
            }
        }
    }

    /// <summary>Discards up to and including the next newline; false when the input ends first.</summary>
    private bool SkipRestOfLine()
    {
        while (true)
        {
            var rel = buffer.AsSpan(start, end - start).IndexOf('\n');
            if (rel >= 0)
            {
                start += rel + 1;
                skipping = false;
                return true;
            }

            start = end = 0;
            var read = endOfInput ? 0 : reader.Read(buffer, 0, buffer.Length);
            if (read == 0)
            {
                endOfInput = true;
                skipping = false;
                return false;
            }

            end = read;
        }
    }

    private static ReadOnlySpan<char> WithoutCarriageReturn(ReadOnlySpan<char> s) =>
        s.Length > 0 && s[^1] == '\r' ? s[..^1] : s;
}
