using System.Buffers.Binary;

namespace SmmuLab.Plots.Tests;

/// <summary>What a test can read from a PNG without decoding it: the signature and the IHDR's size.</summary>
internal static class PngFile
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Asserts a PNG signature and an IHDR first; returns its width and height.</summary>
    public static (int Width, int Height) Size(byte[] png)
    {
        Assert.True(png.Length > 8 + 25, $"{png.Length} bytes is too short for a PNG");
        Assert.Equal(Signature, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
