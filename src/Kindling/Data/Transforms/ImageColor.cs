using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Data.Transforms;

/// <summary>
/// Colour operations on one [C,H,W] image with torchvision's tensor semantics
/// (<c>torchvision.transforms.functional_tensor</c>): uint8 values are in [0,255], float values in [0,1];
/// blends clamp to that range and cast back (truncating for uint8, as torchvision's <c>_blend</c> does).
/// Brightness, contrast, saturation and hue of an RGB uint8 or float32 image on the CPU run as one pass over its pixels
/// (<see cref="PixelColor"/>, the same arithmetic); the tensor ops here take every other image.
/// </summary>
public static class ImageColor
{
    static double Bound(Tensor image) => image.is_floating_point() ? 1.0 : 255.0;

    static Tensor Float(Tensor image) => image.is_floating_point() ? image : image.to_type(ScalarType.Float32);

    static int RgbOrGray(Tensor image, string op)
    {
        var (c, _, _) = ImageGeometry.Dims(image, op);
        if (c != 1 && c != 3) throw new ArgumentException($"{op}: expected 1 or 3 channels, got {c}.");
        return c;
    }

    /// <summary><c>ratio * a + (1 - ratio) * b</c>, clamped to the image range and cast to <paramref name="a"/>'s dtype.</summary>
    public static Tensor Blend(Tensor a, Tensor b, double ratio) =>
        (ratio * a + (1.0 - ratio) * b).clamp(0, Bound(a)).to_type(a.dtype);

    /// <summary>ITU-R 601-2 luma <c>0.2989 R + 0.587 G + 0.114 B</c> (torchvision's <c>rgb_to_grayscale</c>), one channel,
    /// or <paramref name="outputChannels"/> equal channels; a one-channel image is returned as is.</summary>
    public static Tensor Grayscale(Tensor image, int outputChannels = 1)
    {
        if (RgbOrGray(image, "Grayscale") == 1) return outputChannels == 1 ? image : image.expand(outputChannels, -1, -1);
        var l = (0.2989 * image[0] + 0.587 * image[1] + 0.114 * image[2]).to_type(image.dtype).unsqueeze(0);
        return outputChannels == 1 ? l : l.expand(outputChannels, -1, -1);
    }

    /// <summary>torchvision's <c>adjust_brightness</c>: blend with black.</summary>
    public static Tensor AdjustBrightness(Tensor image, double factor)
    {
        CheckFactor(factor, "brightness");
        return PixelColor.Handles(image) ? PixelColor.Brightness(image, factor) : BrightnessByTensorOps(image, factor);
    }

    /// <summary><see cref="AdjustBrightness"/> by tensor ops: every image <see cref="PixelColor"/> does not take.</summary>
    internal static Tensor BrightnessByTensorOps(Tensor image, double factor) => (image * factor).clamp(0, Bound(image)).to_type(image.dtype);

    /// <summary>torchvision's <c>adjust_contrast</c>: blend with the mean of the grayscale image.</summary>
    public static Tensor AdjustContrast(Tensor image, double factor)
    {
        CheckFactor(factor, "contrast");
        return PixelColor.Handles(image) ? PixelColor.Contrast(image, factor) : ContrastByTensorOps(image, factor);
    }

    /// <summary><see cref="AdjustContrast"/> by tensor ops: every image <see cref="PixelColor"/> does not take.</summary>
    internal static Tensor ContrastByTensorOps(Tensor image, double factor)
    {
        var gray = RgbOrGray(image, "AdjustContrast") == 3 ? Grayscale(image) : image;
        var mean = Float(gray).mean();
        return Blend(image, mean, factor);
    }

    /// <summary>torchvision's <c>adjust_saturation</c>: blend with the grayscale image (one channel: unchanged).</summary>
    public static Tensor AdjustSaturation(Tensor image, double factor)
    {
        CheckFactor(factor, "saturation");
        if (RgbOrGray(image, "AdjustSaturation") == 1) return image;
        return PixelColor.Handles(image) ? PixelColor.Saturation(image, factor) : SaturationByTensorOps(image, factor);
    }

    /// <summary><see cref="AdjustSaturation"/> by tensor ops: every image <see cref="PixelColor"/> does not take.</summary>
    internal static Tensor SaturationByTensorOps(Tensor image, double factor) => Blend(image, Grayscale(image), factor);

    /// <summary>torchvision's <c>adjust_hue</c>: shift the hue by <paramref name="factor"/> (in [-0.5, 0.5]) in HSV space.</summary>
    public static Tensor AdjustHue(Tensor image, double factor)
    {
        if (!(factor >= -0.5 && factor <= 0.5)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "the hue factor must be in [-0.5, 0.5].");
        if (RgbOrGray(image, "AdjustHue") == 1) return image;
        return PixelColor.Handles(image) ? PixelColor.Hue(image, factor) : HueByTensorOps(image, factor);
    }

    /// <summary><see cref="AdjustHue"/> by tensor ops: every image <see cref="PixelColor"/> does not take.</summary>
    internal static Tensor HueByTensorOps(Tensor image, double factor)
    {
        var x = image.is_floating_point() ? image : image.to_type(ScalarType.Float32) / 255.0;
        var hsv = RgbToHsv(x);
        var h = (hsv[0] + factor).remainder(1.0);
        var rgb = HsvToRgb(h, hsv[1], hsv[2]);
        return image.is_floating_point() ? rgb : (rgb * 255.0).to_type(image.dtype);
    }

    /// <summary>torchvision's <c>_rgb2hsv</c>: [3,H,W] RGB in [0,1] to H, S, V in [0,1].</summary>
    static Tensor RgbToHsv(Tensor img)
    {
        var r = img[0];
        var g = img[1];
        var b = img[2];
        var maxc = img.amax(0);
        var minc = img.amin(0);
        var eqc = maxc == minc;
        var cr = maxc - minc;
        var ones = ones_like(maxc);
        var s = cr / where(eqc, ones, maxc);
        var crDivisor = where(eqc, ones, cr);
        var rc = (maxc - r) / crDivisor;
        var gc = (maxc - g) / crDivisor;
        var bc = (maxc - b) / crDivisor;
        var isR = maxc == r;
        var isG = (maxc == g).logical_and(isR.logical_not());
        var isB = isR.logical_or(maxc == g).logical_not();
        var h = isR * (bc - gc) + isG * (2.0 + rc - bc) + isB * (4.0 + gc - rc);
        h = (h / 6.0 + 1.0).fmod(1.0);
        return stack(new[] { h, s, maxc });
    }

    /// <summary>torchvision's <c>_hsv2rgb</c>.</summary>
    static Tensor HsvToRgb(Tensor h, Tensor s, Tensor v)
    {
        var i = (h * 6.0).floor();
        var f = h * 6.0 - i;
        var sector = i.to_type(ScalarType.Int32).remainder(6);
        var p = (v * (1.0 - s)).clamp(0.0, 1.0);
        var q = (v * (1.0 - s * f)).clamp(0.0, 1.0);
        var t = (v * (1.0 - s * (1.0 - f))).clamp(0.0, 1.0);
        var mask = (sector.unsqueeze(0) == arange(6, device: h.device).view(-1, 1, 1)).to_type(h.dtype); // [6,H,W]
        var a1 = stack(new[] { v, q, p, p, t, v });
        var a2 = stack(new[] { t, v, v, q, p, p });
        var a3 = stack(new[] { p, p, t, v, v, q });
        return stack(new[] { (mask * a1).sum(0L), (mask * a2).sum(0L), (mask * a3).sum(0L) });
    }

    /// <summary>torchvision's <c>invert</c>: bound minus value.</summary>
    public static Tensor Invert(Tensor image) => image.dtype == ScalarType.Byte ? image.bitwise_not() : 1.0 - image;

    /// <summary>torchvision's <c>posterize</c>: keep the top <paramref name="bits"/> bits of each uint8 value.</summary>
    public static Tensor Posterize(Tensor image, int bits)
    {
        if (bits < 0 || bits > 8) throw new ArgumentOutOfRangeException(nameof(bits), bits, "posterize keeps 0 to 8 bits.");
        RequireUInt8(image, "Posterize");
        int mask = ~((1 << (8 - bits)) - 1) & 0xFF;
        using var m = tensor((byte)mask);
        return image.bitwise_and(m);
    }

    /// <summary>torchvision's <c>solarize</c>: invert values at or above <paramref name="threshold"/> (in the image's range).</summary>
    public static Tensor Solarize(Tensor image, double threshold) => where(image >= threshold, Invert(image), image);

    /// <summary>torchvision's <c>autocontrast</c>: stretch each channel to the full range (flat channels unchanged).</summary>
    public static Tensor AutoContrast(Tensor image)
    {
        double bound = Bound(image);
        var x = Float(image);
        var minimum = x.amin(new long[] { 1, 2 }, keepdim: true);
        var maximum = x.amax(new long[] { 1, 2 }, keepdim: true);
        var flat = maximum == minimum;
        var scale = where(flat, ones_like(maximum), bound / (maximum - minimum));
        minimum = where(flat, zeros_like(minimum), minimum);
        return ((x - minimum) * scale).clamp(0, bound).to_type(image.dtype);
    }

    /// <summary>torchvision's <c>equalize</c>: per-channel histogram equalization of a uint8 image.</summary>
    public static Tensor Equalize(Tensor image)
    {
        RequireUInt8(image, "Equalize");
        var (c, h, w) = ImageGeometry.Dims(image, "Equalize");
        int plane = h * w;
        var src = image.contiguous().cpu().data<byte>().ToArray();
        var dst = new byte[src.Length];
        Span<long> hist = stackalloc long[256];
        Span<long> lut = stackalloc long[256];
        for (int ch = 0; ch < c; ch++)
        {
            var s = src.AsSpan(ch * plane, plane);
            var d = dst.AsSpan(ch * plane, plane);
            hist.Clear();
            foreach (var v in s) hist[v]++;
            long last = 0, total = 0;
            for (int v = 0; v < 256; v++)
                if (hist[v] != 0) { total += hist[v]; last = hist[v]; }
            long step = (total - last) / 255; // sum of the non-zero bins but the last, floor-divided by 255
            if (step == 0) { s.CopyTo(d); continue; }
            long cum = 0;
            for (int v = 0; v < 256; v++)
            {
                lut[v] = Math.Clamp((cum + step / 2) / step, 0, 255); // LUT shifted by one: entry v uses the cumsum before v
                cum += hist[v];
            }
            for (int k = 0; k < plane; k++) d[k] = (byte)lut[s[k]];
        }
        return tensor(dst, new long[] { c, h, w }, device: image.device);
    }

    /// <summary>torchvision's <c>adjust_sharpness</c>: blend with the image smoothed by the 3x3 kernel [[1,1,1],[1,5,1],[1,1,1]]/13
    /// (border pixels kept).</summary>
    public static Tensor AdjustSharpness(Tensor image, double factor)
    {
        CheckFactor(factor, "sharpness");
        var (c, h, w) = ImageGeometry.Dims(image, "AdjustSharpness");
        if (h <= 2 || w <= 2) return image;
        var x = Float(image);
        var weights = new float[] { 1, 1, 1, 1, 5, 1, 1, 1, 1 };
        var kernel = (tensor(weights, new long[] { 1, 1, 3, 3 }, dtype: x.dtype, device: x.device) / 13.0).expand(c, 1, 3, 3);
        var smoothed = ImageGeometry.ToDtype(nn.functional.conv2d(x.unsqueeze(0), kernel, groups: c).squeeze(0), image.dtype);
        var degenerate = image.clone();
        degenerate.narrow(1, 1, h - 2).narrow(2, 1, w - 2).copy_(smoothed);
        return Blend(image, degenerate, factor);
    }

    /// <summary>torchvision's <c>gaussian_blur</c>: separable Gaussian kernel of the given size and sigma, reflect-padded.</summary>
    public static Tensor GaussianBlur(Tensor image, int kernelX, int kernelY, double sigmaX, double sigmaY)
    {
        var (c, _, _) = ImageGeometry.Dims(image, "GaussianBlur");
        var x = Float(image);
        var kx = tensor(Kernel1d(kernelX, sigmaX), dtype: x.dtype, device: x.device);
        var ky = tensor(Kernel1d(kernelY, sigmaY), dtype: x.dtype, device: x.device);
        var kernel = ky.unsqueeze(1).mm(kx.unsqueeze(0)).expand(c, 1, kernelY, kernelX);
        var padded = nn.functional.pad(x.unsqueeze(0), new long[] { kernelX / 2, kernelX / 2, kernelY / 2, kernelY / 2 }, PaddingModes.Reflect);
        return ImageGeometry.ToDtype(nn.functional.conv2d(padded, kernel, groups: c).squeeze(0), image.dtype);
    }

    static float[] Kernel1d(int size, double sigma)
    {
        var k = new float[size];
        double half = (size - 1) * 0.5, sum = 0;
        var pdf = new double[size];
        for (int i = 0; i < size; i++)
        {
            double x = -half + i;
            pdf[i] = Math.Exp(-0.5 * (x / sigma) * (x / sigma));
            sum += pdf[i];
        }
        for (int i = 0; i < size; i++) k[i] = (float)(pdf[i] / sum);
        return k;
    }

    static void CheckFactor(double factor, string name)
    {
        if (!(factor >= 0)) throw new ArgumentOutOfRangeException(nameof(factor), factor, $"the {name} factor must be non-negative.");
    }

    static void RequireUInt8(Tensor image, string op)
    {
        if (image.dtype != ScalarType.Byte)
            throw new ArgumentException($"{op}: expected a uint8 image (as torchvision), got {image.dtype}; apply it before ToTensor.");
    }
}
