using ScottPlot;
using SkiaSharp;

namespace SmmuLab.Plots;

/// <summary>Renders plots as panels of one PNG under a title band: side by side, or one above the other.</summary>
internal static class PanelImage
{
    private const int TitleHeight = 44;

    /// <summary>
    /// The PNG of <paramref name="panels"/> in a <paramref name="width"/> x <paramref name="height"/>
    /// image: equal columns, or equal rows when <paramref name="stacked"/>, under <paramref name="title"/>.
    /// </summary>
    public static byte[] Png(IReadOnlyList<Plot> panels, int width, int height, string title, bool stacked = false)
    {
        var info = new SKImageInfo(width, height);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var panelWidth = stacked ? width : width / panels.Count;
        var panelHeight = stacked ? (height - TitleHeight) / panels.Count : height - TitleHeight;
        for (var i = 0; i < panels.Count; i++)
        {
            // Each panel on its own image: a plot paints the whole canvas it is given.
            var bytes = panels[i].GetImageBytes(panelWidth, panelHeight, ImageFormat.Png);
            using var image = SKImage.FromEncodedData(bytes);
            var x = stacked ? 0 : i * panelWidth;
            var y = TitleHeight + (stacked ? i * panelHeight : 0);
            canvas.DrawImage(image, x, y);
        }

        using (var font = new SKFont(SKTypeface.Default, 22))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.DrawText(title, width / 2f, 30, SKTextAlign.Center, font, paint);
        }

        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
