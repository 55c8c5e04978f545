using System.Globalization;

namespace SmmuLab.Encoding;

/// <summary>Parses the numbers a person types: decimal or 0x-hex, with optional '_' separators.</summary>
internal static class NumberParser
{
    /// <summary>Decimal (<c>4096</c>) or hexadecimal with a 0x prefix (<c>0x1000</c>).</summary>
    public static Result<ulong> ParseValue(string text)
    {
        var digits = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ParseHexDigits(digits[2..], text);
        }

        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return Result<ulong>.Fail($"'{text}' is not a number (use decimal or 0x-hex)");
        }

        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? Result<ulong>.Ok(value)
            : Result<ulong>.Fail($"'{text}' does not fit in 64 bits");
    }

    /// <summary>A hexadecimal word, with or without the 0x prefix (a dump is hex either way).</summary>
    public static Result<ulong> ParseHexWord(string text)
    {
        var digits = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        return ParseHexDigits(digits, text);
    }

    private static Result<ulong> ParseHexDigits(string digits, string original)
    {
        if (digits.Length == 0 || !digits.All(char.IsAsciiHexDigit))
        {
            return Result<ulong>.Fail($"'{original}' is not a hex number");
        }

        var significant = digits.TrimStart('0');
        if (significant.Length > 16)
        {
            return Result<ulong>.Fail($"'{original}' does not fit in 64 bits");
        }

        return Result<ulong>.Ok(significant.Length == 0
            ? 0
            : ulong.Parse(significant, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
    }
}
