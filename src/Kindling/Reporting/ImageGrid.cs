using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace Kindling.Reporting;

/// <summary>
/// torchvision's <c>make_grid</c> and <c>save_image</c> for image tensors: images in rows of <c>nrow</c>, <c>padding</c> pixels
/// before every cell and once more at the far edges, background 0 (black), a one-channel batch repeated to RGB, a single
/// image returned without padding; pixels to bytes as save_image does (x * 255 + 0.5, clamped, truncated).
/// </summary>
public static class ImageGrid
{
    /// <summary>The grid [3 (or C), H', W'] of <paramref name="images"/> [N, C, H, W] (float, in [0, 1]), exactly as make_grid.</summary>
    public static Tensor Make(Tensor images, int nrow = 8, int padding = 2)
    {
        if (images.dim() != 4) throw new ArgumentException($"expected images [N, C, H, W]; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (nrow < 1) throw new ArgumentOutOfRangeException(nameof(nrow), nrow, "nrow must be at least 1.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be 0 or more.");
        if (images.shape[0] == 0) throw new ArgumentException("there are no images to lay out.", nameof(images));
        var x = images.to(float32).cpu();
        if (x.shape[1] == 1) x = cat([x, x, x], 1);
        if (x.shape[0] == 1) return x[0].clone();
        long n = x.shape[0], channels = x.shape[1], h = x.shape[2] + padding, w = x.shape[3] + padding;
        long columns = Math.Min(nrow, n), rows = (n + columns - 1) / columns;
        var grid = zeros([channels, h * rows + padding, w * columns + padding]);
        for (long k = 0; k < n; k++)
        {
            long y = k / columns, c = k % columns;
            grid.narrow(1, y * h + padding, h - padding).narrow(2, c * w + padding, w - padding).copy_(x[k]);
        }
        return grid;
    }

    /// <summary>save_image's bytes: a grid [C, H, W] in [0, 1] to HWC uint8 (x * 255 + 0.5, clamped to [0, 255], truncated).</summary>
    public static byte[] ToBytes(Tensor grid, out int height, out int width, out int channels)
    {
        using var scope = NewDisposeScope();
        channels = (int)grid.shape[0];
        height = (int)grid.shape[1];
        width = (int)grid.shape[2];
        return grid.to(float32).cpu().mul(255).add_(0.5).clamp_(0, 255).to(ScalarType.Byte).permute(1, 2, 0).contiguous().data<byte>().ToArray();
    }

    /// <summary>
    /// Lays out <paramref name="images"/> (float [N, C, H, W] in [0, 1]) with make_grid and writes the PNG to <paramref name="path"/>
    /// through a temporary file; <paramref name="scale"/> > 1 enlarges every pixel to a square of that side (nearest neighbour).
    /// </summary>
    /// <returns>The path written.</returns>
    public static string Save(Tensor images, string path, int nrow = 8, int padding = 2, int scale = 1)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1.");
        byte[] hwc;
        int height, width, channels;
        using (var scope = NewDisposeScope())
            hwc = ToBytes(Make(images, nrow, padding), out height, out width, out channels);
        int outH = height * scale, outW = width * scale;
        var rgba = new byte[outH * outW * 4];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                int src = (y / scale * width + x / scale) * channels, dst = (y * outW + x) * 4;
                for (int k = 0; k < 3; k++) rgba[dst + k] = hwc[src + (channels >= 3 ? k : 0)];
                rgba[dst + 3] = 255;
            }
        using var bitmap = new SKBitmap(outW, outH, SKColorType.Rgba8888, SKAlphaType.Premul);
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return PngFile.Save(bitmap, path);
    }
}
