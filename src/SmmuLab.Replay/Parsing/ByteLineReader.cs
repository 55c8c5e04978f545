using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace SmmuLab.Replay.Parsing;

/// <summary>
/// Reads UTF-8 lines from a <see cref="Stream"/> as bytes, into one pooled buffer, and hands each
/// out as characters widened into a second reused buffer: reading a line allocates nothing and
/// memory does not grow with the input. ASCII (every line of a real trace) takes the vectorized
/// widening; any other byte takes the UTF-8 decoder, where an invalid sequence becomes U+FFFD, so
/// the parser reports that line, by its number, as binary data. A UTF-8 byte order mark is skipped
/// (UTF-16 text is not read: its NUL bytes are binary data). The line-length limit is in bytes;
/// a longer line is reported once (its beginning) and skipped up to its newline.
/// </summary>
internal sealed class ByteLineReader : ILineSource
{
    private readonly Stream stream;
    private readonly int maxLineLength;
    private byte[] bytes;
    private char[] chars;
    private int start;
    private int end;
    private bool endOfInput;
    private bool skipping;
    private bool bomChecked;

    public ByteLineReader(Stream stream, int maxLineLength, int initialBufferLength = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 16);
        this.stream = stream;
        this.maxLineLength = maxLineLength;
        var length = Math.Min(Math.Max(initialBufferLength, 16), maxLineLength);
        bytes = ArrayPool<byte>.Shared.Rent(length);
        chars = ArrayPool<char>.Shared.Rent(Math.Min(length, 4096));
    }

    /// <summary>The byte buffer's current length (bounded by the line-length limit, rounded up by the pool).</summary>
    public int BufferLength => bytes.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLine(out ReadOnlySpan<char> line, out LineEnding ending)
    {
        line = [];
        ending = LineEnding.Newline;
        if (skipping && !SkipRestOfLine())
        {
            return Finish();
        }

        var scanFrom = start;
        while (true)
        {
            if (!bomChecked && (end - start >= 3 || endOfInput))
            {
                SkipByteOrderMark();
                scanFrom = Math.Max(scanFrom, start);
            }

            var rel = bytes.AsSpan(scanFrom, end - scanFrom).IndexOf((byte)'\n');
            if (rel >= 0)
            {
                var newline = scanFrom + rel;
                line = Widen(bytes.AsSpan(start, newline - start));
                start = newline + 1;
                return true;
            }

            var pending = end - start;
            if (endOfInput)
            {
                if (pending == 0)
                {
                    return Finish();
                }

                line = Widen(bytes.AsSpan(start, pending));
                start = end;
                ending = LineEnding.EndOfInput;
                return true;
            }

            if (pending >= maxLineLength)
            {
                line = Widen(bytes.AsSpan(start, maxLineLength));
                start = end;
                skipping = true;
                ending = LineEnding.TooLong;
                return true;
            }

            if (start > 0)
            {
                bytes.AsSpan(start, pending).CopyTo(bytes);
                start = 0;
                end = pending;
            }

            if (end == bytes.Length)
            {
                Grow();
            }

            scanFrom = end;
            var read = stream.Read(bytes, end, Math.Min(bytes.Length, maxLineLength) - end);
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

    /// <summary>The line as characters, without a trailing <c>\r</c>.</summary>
    private ReadOnlySpan<char> Widen(ReadOnlySpan<byte> raw)
    {
        if (raw.Length > 0 && raw[^1] == (byte)'\r')
        {
            raw = raw[..^1];
        }

        if (chars.Length < raw.Length)
        {
            ArrayPool<char>.Shared.Return(chars);
            chars = ArrayPool<char>.Shared.Rent(raw.Length);
        }

        if (Ascii.ToUtf16(raw, chars, out var written) == OperationStatus.Done)
        {
            return chars.AsSpan(0, written);
        }

        // Not ASCII: UTF-8 never needs more UTF-16 units than it has bytes.
        Utf8.ToUtf16(raw, chars, out _, out written, replaceInvalidSequences: true);
        return chars.AsSpan(0, written);
    }

    /// <summary>A UTF-8 byte order mark before the first line is not part of it.</summary>
    private void SkipByteOrderMark()
    {
        bomChecked = true;
        if (bytes.AsSpan(start, end - start).StartsWith("\uFEFF"u8))
        {
            start += 3;
        }
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)bytes.Length * 2, maxLineLength));
        bytes.AsSpan(0, end).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(bytes);
        bytes = larger;
    }

    /// <summary>Discards up to and including the next newline; false when the input ends first.</summary>
    private bool SkipRestOfLine()
    {
        while (true)
        {
            var rel = bytes.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (rel >= 0)
            {
                start += rel + 1;
                skipping = false;
                return true;
            }

            start = end = 0;
            var read = endOfInput ? 0 : stream.Read(bytes, 0, Math.Min(bytes.Length, maxLineLength));
            if (read == 0)
            {
                endOfInput = true;
                skipping = false;
                return false;
            }

            end = read;
        }
    }

    /// <summary>The input is over: the buffers go back to the pool (an empty one stays for further calls).</summary>
    private bool Finish()
    {
        if (bytes.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
            bytes = [];
            chars = [];
            start = end = 0;
        }

        return false;
    }
}
