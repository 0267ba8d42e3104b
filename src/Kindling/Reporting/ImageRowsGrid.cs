using System.Runtime.InteropServices;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Reporting;

/// <summary>
/// A PNG of labelled rows of images (make_grid's padding and black background, one row per label, the label on the left):
/// e.g. a masked autoencoder's masked input, reconstruction and original, image i of every row the same sample.
/// </summary>
public static class ImageRowsGrid
{
    /// <summary>Width of the label column.</summary>
    public const int LabelWidth = 110;

    /// <summary>Draws <paramref name="rows"/> (each [N, C, H, W] float, in normalized space) and writes <paramref name="path"/> (through a temporary file).</summary>
    /// <param name="rows">Label and images per row; every row the same shape, 1 or 3 channels drawn (the first three of more).</param>
    /// <param name="mean">Per-channel mean of the normalization to undo (x * std + mean); null: the images are already in [0, 1].</param>
    /// <param name="std">Per-channel standard deviation that goes with <paramref name="mean"/>.</param>
    /// <param name="path">The PNG to write.</param>
    /// <param name="padding">Pixels around every cell.</param>
    /// <param name="scale">Integer upscaling; 0: the smallest that makes a cell at least 64 px.</param>
    /// <returns>The path written.</returns>
    public static string Save(IReadOnlyList<(string Label, Tensor Images)> rows, IReadOnlyList<double>? mean, IReadOnlyList<double>? std, string path, int padding = 2, int scale = 0)
    {
        if (rows.Count == 0) throw new ArgumentException("the grid needs at least one row.", nameof(rows));
        var first = rows[0].Images;
        if (first.dim() != 4 || rows.Any(r => !r.Images.shape.SequenceEqual(first.shape)))
            throw new ArgumentException("every row must hold images [N, C, H, W] of the same shape.", nameof(rows));
        int n = (int)first.shape[0], c = (int)first.shape[1], h = (int)first.shape[2], w = (int)first.shape[3];
        if (scale <= 0) scale = Math.Max(1, (int)Math.Ceiling(64.0 / Math.Max(h, w)));
        int cellW = w * scale, cellH = h * scale;
        int width = LabelWidth + n * (cellW + padding) + padding, height = rows.Count * (cellH + padding) + padding;
        var rgba = new byte[width * height * 4];
        for (int k = 3; k < rgba.Length; k += 4) rgba[k] = 255;
        for (int r = 0; r < rows.Count; r++)
        {
            var pixels = Pixels(rows[r].Images, mean, std);
            for (int i = 0; i < n; i++)
            {
                int left = LabelWidth + padding + i * (cellW + padding), top = padding + r * (cellH + padding);
                for (int y = 0; y < cellH; y++)
                    for (int x = 0; x < cellW; x++)
                    {
                        int dst = ((top + y) * width + left + x) * 4;
                        for (int k = 0; k < 3; k++)
                            rgba[dst + k] = pixels[(((long)i * c + (c >= 3 ? k : 0)) * h + y / scale) * w + x / scale];
                    }
            }
        }
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var font = new SKFont(SKTypeface.Default, 12);
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            for (int r = 0; r < rows.Count; r++)
                canvas.DrawText(rows[r].Label, 4, padding + r * (cellH + padding) + cellH / 2f + 4, SKTextAlign.Left, font, paint);
        }
        return PngFile.Save(bitmap, path);
    }

    // NCHW bytes: normalization undone, clamped to [0, 1].
    static byte[] Pixels(Tensor images, IReadOnlyList<double>? mean, IReadOnlyList<double>? std)
    {
        using var scope = torch.NewDisposeScope();
        var x = images.detach().cpu().to(float32);
        if (mean is not null && std is not null)
        {
            var m = torch.tensor(mean.Select(v => (float)v).ToArray()).view(1, -1, 1, 1);
            var s = torch.tensor(std.Select(v => (float)v).ToArray()).view(1, -1, 1, 1);
            x = x * s + m;
        }
        return x.clamp(0, 1).mul(255).round().to(ScalarType.Byte).contiguous().data<byte>().ToArray();
    }
}
