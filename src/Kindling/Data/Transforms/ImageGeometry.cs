using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Data.Transforms;

/// <summary>
/// Geometric operations on one [C,H,W] image (uint8 or float) with torchvision's tensor semantics
/// (<c>torchvision.transforms.functional</c>): pad, crop, resize, and affine warps through
/// <c>grid_sample</c> with torchvision's grid and fill handling. The random transforms call these.
/// </summary>
public static class ImageGeometry
{
    /// <summary>Checks that <paramref name="image"/> is [C,H,W] and returns (C, H, W).</summary>
    public static (int C, int H, int W) Dims(Tensor image, string transform)
    {
        if (image.dim() != 3)
            throw new ArgumentException($"{transform}: expected one image as a [C,H,W] tensor, got shape [{string.Join(",", image.shape)}].");
        return ((int)image.shape[0], (int)image.shape[1], (int)image.shape[2]);
    }

    /// <summary>
    /// Pads by <paramref name="left"/>, <paramref name="top"/>, <paramref name="right"/>, <paramref name="bottom"/>
    /// pixels (torchvision's <c>F.pad</c>). Reflect and symmetric padding wider than the image keep mirroring.
    /// </summary>
    public static Tensor Pad(Tensor image, int left, int top, int right, int bottom, double fill = 0, PaddingMode mode = PaddingMode.Constant)
    {
        if (left == 0 && top == 0 && right == 0 && bottom == 0) return image;
        if (left < 0 || top < 0 || right < 0 || bottom < 0)
            throw new ArgumentException($"padding must not be negative, got left {left}, top {top}, right {right}, bottom {bottom}.");
        if (mode == PaddingMode.Constant)
            return nn.functional.pad(image, new long[] { left, right, top, bottom }, PaddingModes.Constant, fill);
        var (_, h, w) = Dims(image, "Pad");
        using var rows = tensor(PadIndex(h, top, bottom, mode), device: image.device);
        using var cols = tensor(PadIndex(w, left, right, mode), device: image.device);
        return image.index_select(1, rows).index_select(2, cols);
    }

    /// <summary>Pads with torchvision's padding argument: one value (all sides), two (left/right, top/bottom) or four (left, top, right, bottom).</summary>
    public static Tensor Pad(Tensor image, IReadOnlyList<int> padding, double fill = 0, PaddingMode mode = PaddingMode.Constant)
    {
        var (l, t, r, b) = PaddingSides(padding);
        return Pad(image, l, t, r, b, fill, mode);
    }

    internal static (int Left, int Top, int Right, int Bottom) PaddingSides(IReadOnlyList<int> padding) => padding.Count switch
    {
        1 => (padding[0], padding[0], padding[0], padding[0]),
        2 => (padding[0], padding[1], padding[0], padding[1]),
        4 => (padding[0], padding[1], padding[2], padding[3]),
        _ => throw new ArgumentException($"padding must have 1, 2 or 4 values (all; left/right, top/bottom; left, top, right, bottom), got {padding.Count}."),
    };

    /// <summary>Source index of each padded position along an axis of length <paramref name="n"/>.</summary>
    internal static long[] PadIndex(int n, int before, int after, PaddingMode mode)
    {
        var index = new long[n + before + after];
        for (int o = 0; o < index.Length; o++)
        {
            int k = o - before;
            index[o] = mode switch
            {
                PaddingMode.Edge => Math.Clamp(k, 0, n - 1),
                PaddingMode.Reflect => n == 1 ? 0 : Mirror(k, 2 * n - 2, m => 2 * n - 2 - m),
                PaddingMode.Symmetric => Mirror(k, 2 * n, m => 2 * n - 1 - m),
                _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "index padding is for edge, reflect and symmetric modes."),
            };
        }
        return index;

        int Mirror(int k, int period, Func<int, int> back)
        {
            int m = ((k % period) + period) % period;
            return m < n ? m : back(m);
        }
    }

    /// <summary>The window of <paramref name="height"/> x <paramref name="width"/> at (<paramref name="top"/>, <paramref name="left"/>);
    /// parts outside the image are zero (torchvision's <c>F.crop</c>). Inside the image this is a view.</summary>
    public static Tensor Crop(Tensor image, int top, int left, int height, int width)
    {
        var (_, h, w) = Dims(image, "Crop");
        if (top < 0 || left < 0 || top + height > h || left + width > w)
        {
            int pl = Math.Max(0, -left), pt = Math.Max(0, -top), pr = Math.Max(0, left + width - w), pb = Math.Max(0, top + height - h);
            image = Pad(image, pl, pt, pr, pb);
            top += pt;
            left += pl;
        }
        return image.narrow(1, top, height).narrow(2, left, width);
    }

    /// <summary>The central <paramref name="height"/> x <paramref name="width"/> window (torchvision's <c>F.center_crop</c>, zero-padded when larger).</summary>
    public static Tensor CenterCrop(Tensor image, int height, int width)
    {
        var (_, h, w) = Dims(image, "CenterCrop");
        if (height > h || width > w)
        {
            // torchvision pads first (the odd pixel on the right/bottom), then crops the centre.
            int dw = Math.Max(0, width - w), dh = Math.Max(0, height - h);
            image = Pad(image, dw / 2, dh / 2, (dw + 1) / 2, (dh + 1) / 2);
            (h, w) = (h + dh, w + dw);
        }
        int top = (int)Math.Round((h - height) / 2.0), left = (int)Math.Round((w - width) / 2.0);
        return Crop(image, top, left, height, width);
    }

    /// <summary>Resizes to <paramref name="height"/> x <paramref name="width"/> (torchvision's tensor <c>F.resize</c>:
    /// uint8 goes through float and is rounded and clamped back).</summary>
    public static Tensor Resize(Tensor image, int height, int width, Interpolation interpolation = Interpolation.Bilinear, bool antialias = true)
    {
        var (_, h, w) = Dims(image, "Resize");
        if (h == height && w == width) return image;
        var dtype = image.dtype;
        var x = (dtype == ScalarType.Float32 || dtype == ScalarType.Float64 ? image : image.to_type(ScalarType.Float32)).unsqueeze(0);
        var mode = interpolation switch
        {
            Interpolation.Nearest => InterpolationMode.Nearest,
            Interpolation.Bilinear => InterpolationMode.Bilinear,
            _ => InterpolationMode.Bicubic,
        };
        bool? alignCorners = interpolation == Interpolation.Nearest ? null : false;
        var y = nn.functional.interpolate(x, new long[] { height, width }, mode: mode, align_corners: alignCorners,
            antialias: antialias && interpolation != Interpolation.Nearest).squeeze(0);
        return ToDtype(y, dtype);
    }

    /// <summary>Casts float results back to the input dtype the way torchvision does (round, clamp to [0,255] for uint8).</summary>
    internal static Tensor ToDtype(Tensor result, ScalarType dtype) =>
        result.dtype == dtype ? result : dtype == ScalarType.Byte ? result.round().clamp(0, 255).to_type(dtype) : result.to_type(dtype);

    /// <summary>
    /// torchvision's <c>_get_inverse_affine_matrix</c>: the output-to-input matrix (2x3, row-major) of a rotation
    /// by <paramref name="angle"/> degrees (clockwise on screen), translation, scale and shear (degrees) about
    /// <paramref name="centerX"/>, <paramref name="centerY"/> (relative to the image centre).
    /// </summary>
    public static double[] InverseAffineMatrix(double centerX, double centerY, double angle, double translateX, double translateY,
        double scale, double shearX, double shearY)
    {
        double rot = angle * Math.PI / 180, sx = shearX * Math.PI / 180, sy = shearY * Math.PI / 180;
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        var m = new[] { d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0 };
        m[2] += m[0] * (-centerX - translateX) + m[1] * (-centerY - translateY);
        m[5] += m[3] * (-centerX - translateX) + m[4] * (-centerY - translateY);
        m[2] += centerX;
        m[5] += centerY;
        return m;
    }

    /// <summary>torchvision's <c>F.affine</c> on a tensor: rotation <paramref name="angle"/> (degrees), translation in pixels,
    /// scale, shear (degrees) about the image centre, or about <paramref name="center"/> (pixel coordinates) when given.</summary>
    public static Tensor Affine(Tensor image, double angle, double translateX, double translateY, double scale, double shearX, double shearY,
        Interpolation interpolation = Interpolation.Nearest, IReadOnlyList<double>? fill = null, (double X, double Y)? center = null)
    {
        var (_, h, w) = Dims(image, "Affine");
        var (cx, cy) = center is { } p ? (p.X - w * 0.5, p.Y - h * 0.5) : (0.0, 0.0);
        var m = InverseAffineMatrix(cx, cy, angle, translateX, translateY, scale, shearX, shearY);
        return Warp(image, m, w, h, interpolation, fill);
    }

    /// <summary>torchvision's <c>F.rotate</c> on a tensor: counter-clockwise by <paramref name="angle"/> degrees,
    /// optionally expanding the output to hold the whole rotated image.</summary>
    public static Tensor Rotate(Tensor image, double angle, Interpolation interpolation = Interpolation.Nearest, bool expand = false,
        IReadOnlyList<double>? fill = null, (double X, double Y)? center = null)
    {
        var (_, h, w) = Dims(image, "Rotate");
        var (cx, cy) = center is { } p ? (p.X - w * 0.5, p.Y - h * 0.5) : (0.0, 0.0);
        var m = InverseAffineMatrix(cx, cy, -angle, 0, 0, 1, 0, 0);
        var (ow, oh) = expand ? ExpandedSize(m, w, h) : (w, h);
        return Warp(image, m, ow, oh, interpolation, fill);
    }

    /// <summary>torchvision's <c>_compute_affine_output_size</c>.</summary>
    static (int W, int H) ExpandedSize(double[] m, int w, int h)
    {
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var (px, py) in new[] { (-0.5 * w, -0.5 * h), (-0.5 * w, 0.5 * h), (0.5 * w, 0.5 * h), (0.5 * w, -0.5 * h) })
        {
            double x = (float)(m[0] * px + m[1] * py + m[2]), y = (float)(m[3] * px + m[4] * py + m[5]);
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        const double tol = 1e-4;
        double Trunc(double v) => Math.Truncate(v / tol) * tol;
        int ow = (int)(Math.Ceiling(Trunc(maxX + w * 0.5)) - Math.Floor(Trunc(minX + w * 0.5)));
        int oh = (int)(Math.Ceiling(Trunc(maxY + h * 0.5)) - Math.Floor(Trunc(minY + h * 0.5)));
        return (ow, oh);
    }

    /// <summary>
    /// Samples the image through the inverse affine matrix <paramref name="m"/> onto an <paramref name="ow"/> x <paramref name="oh"/> grid
    /// (torchvision's <c>_gen_affine_grid</c> and <c>_apply_grid_transform</c>). With a <paramref name="fill"/>, a mask channel
    /// marks where the output saw the image: nearest replaces the rest with the fill, bilinear blends towards it.
    /// Without one, outside is zero.
    /// </summary>
    internal static Tensor Warp(Tensor image, double[] m, int ow, int oh, Interpolation interpolation, IReadOnlyList<double>? fill)
    {
        var (c, h, w) = Dims(image, "Warp");
        if (interpolation == Interpolation.Bicubic)
            throw new ArgumentException("affine warps support nearest and bilinear interpolation (as torchvision's tensor ops).");
        if (fill != null && fill.Count != 1 && fill.Count != c)
            throw new ArgumentException($"fill has {fill.Count} values for an image of {c} channels; give 1 or {c}.");
        var grid = new float[oh * ow * 2];
        double sx = 0.5 * w, sy = 0.5 * h;
        for (int y = 0, k = 0; y < oh; y++)
        {
            double by = -oh * 0.5 + 0.5 + y;
            for (int x = 0; x < ow; x++, k += 2)
            {
                double bx = -ow * 0.5 + 0.5 + x;
                grid[k] = (float)((m[0] * bx + m[1] * by + m[2]) / sx);
                grid[k + 1] = (float)((m[3] * bx + m[4] * by + m[5]) / sy);
            }
        }
        var dtype = image.dtype;
        var x4 = (image.is_floating_point() ? image : image.to_type(ScalarType.Float32)).unsqueeze(0);
        if (fill != null) x4 = cat(new[] { x4, ones(1, 1, h, w, dtype: x4.dtype, device: x4.device) }, 1);
        var g = tensor(grid, new long[] { 1, oh, ow, 2 }, dtype: x4.dtype, device: x4.device);
        var mode = interpolation == Interpolation.Nearest ? GridSampleMode.Nearest : GridSampleMode.Bilinear;
        var y4 = nn.functional.grid_sample(x4, g, mode, GridSamplePaddingMode.Zeros, align_corners: false);
        Tensor result;
        if (fill == null) result = y4.squeeze(0);
        else
        {
            var img = y4[0].narrow(0, 0, c);
            var mask = y4[0].narrow(0, c, 1);
            var fillValues = tensor(fill.Select(v => (float)v).ToArray(), dtype: img.dtype, device: img.device).view(-1, 1, 1);
            result = interpolation == Interpolation.Nearest
                ? where(mask < 0.5, fillValues.expand_as(img), img)
                : img * mask + (1.0 - mask) * fillValues;
        }
        return ToDtype(result, dtype);
    }
}
