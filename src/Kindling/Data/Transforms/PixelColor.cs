using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Data.Transforms;

/// <summary>
/// <see cref="ImageColor"/>'s brightness, contrast, saturation and hue for one RGB image on the CPU, as one managed pass
/// over its values instead of a chain of tensor ops, with torchvision's arithmetic step for step (float32, the same order
/// of operations, clamping and truncation to uint8 where torchvision has them).
/// </summary>
/// <remarks>
/// Why: a loader adjusts images one at a time, and a tensor op on a 3x32x32 image costs its dispatch (a few µs), not its
/// arithmetic; the hue shift is ~45 ops. Measured with SimCLR's augmentation (two views of 256 images a step, colour jitter
/// with p 0.8; `kindling train --config configs/cifar10-simclr.yaml --profile` over 60 steps, data.num_workers 0 so the
/// loader's time shows): 144 ms of loading a step with the tensor ops, 61 ms with this.
/// The tensor ops stay for what this does not take: other devices, dtypes and channel counts.
/// </remarks>
internal static class PixelColor
{
    /// <summary>Whether the pixel path takes <paramref name="image"/>: a [3,H,W] uint8 or float32 image on the CPU.</summary>
    public static bool Handles(Tensor image) =>
        image.device_type == DeviceType.CPU && image.dim() == 3 && image.shape[0] == 3
        && (image.dtype == ScalarType.Byte || image.dtype == ScalarType.Float32);

    /// <summary>torchvision's <c>adjust_brightness</c>: the value times the factor, clamped.</summary>
    public static Tensor Brightness(Tensor image, double factor)
    {
        var v = Values(image, out float bound);
        float f = (float)factor;
        for (int i = 0; i < v.Length; i++) v[i] = Math.Clamp(v[i] * f, 0f, bound);
        return ToImage(v, image);
    }

    /// <summary>torchvision's <c>adjust_contrast</c>: blend with the mean of the (dtype-cast) grayscale image.</summary>
    public static Tensor Contrast(Tensor image, double factor)
    {
        var v = Values(image, out float bound);
        int plane = v.Length / 3;
        double sum = 0;
        for (int i = 0; i < plane; i++) sum += Gray(v, i, plane, bound);
        // uint8 lumas are integers: their sum is exact, as torch's float32 sum is below 2^24. Float lumas agree with torch's
        // to float precision (its reduction sums in its own order).
        float mean = (float)sum / plane;
        float other = (float)(1.0 - factor) * mean;
        float ratio = (float)factor;
        for (int i = 0; i < v.Length; i++) v[i] = Math.Clamp(ratio * v[i] + other, 0f, bound);
        return ToImage(v, image);
    }

    /// <summary>torchvision's <c>adjust_saturation</c>: blend with the (dtype-cast) grayscale image.</summary>
    public static Tensor Saturation(Tensor image, double factor)
    {
        var v = Values(image, out float bound);
        int plane = v.Length / 3;
        float ratio = (float)factor, rest = (float)(1.0 - factor);
        for (int i = 0; i < plane; i++)
        {
            float other = rest * Gray(v, i, plane, bound);
            for (int c = 0; c < 3; c++)
            {
                int at = c * plane + i;
                v[at] = Math.Clamp(ratio * v[at] + other, 0f, bound);
            }
        }
        return ToImage(v, image);
    }

    /// <summary>torchvision's <c>adjust_hue</c>: to HSV (<c>_rgb2hsv</c>), the hue shifted modulo 1, back (<c>_hsv2rgb</c>).</summary>
    public static Tensor Hue(Tensor image, double factor)
    {
        var v = Values(image, out float bound);
        int plane = v.Length / 3;
        float shift = (float)factor;
        for (int i = 0; i < plane; i++)
        {
            float r = v[i] / bound, g = v[plane + i] / bound, b = v[2 * plane + i] / bound;
            float maxc = Math.Max(r, Math.Max(g, b)), minc = Math.Min(r, Math.Min(g, b));
            bool flat = maxc == minc;
            float cr = maxc - minc;
            float s = cr / (flat ? 1f : maxc);
            float divisor = flat ? 1f : cr;
            float rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor;
            float h = maxc == r ? bc - gc : maxc == g ? 2f + rc - bc : 4f + gc - rc;
            h = Wrap(Wrap(h / 6f + 1f) + shift);

            float scaled = h * 6f;
            float sectorStart = MathF.Floor(scaled);
            float f = scaled - sectorStart;
            int sector = (int)sectorStart % 6; // h lies in [0, 1): sectors 0-5, as torch's i % 6
            float p = Math.Clamp(maxc * (1f - s), 0f, 1f);
            float q = Math.Clamp(maxc * (1f - s * f), 0f, 1f);
            float t = Math.Clamp(maxc * (1f - s * (1f - f)), 0f, 1f);
            (r, g, b) = sector switch
            {
                0 => (maxc, t, p),
                1 => (q, maxc, p),
                2 => (p, maxc, t),
                3 => (p, q, maxc),
                4 => (t, p, maxc),
                _ => (maxc, p, q),
            };
            v[i] = r * bound;
            v[plane + i] = g * bound;
            v[2 * plane + i] = b * bound;
        }
        return ToImage(v, image);
    }

    /// <summary>Luma of pixel <paramref name="i"/> as torchvision's <c>rgb_to_grayscale</c> computes it, cast to the image's dtype.</summary>
    static float Gray(Span<float> v, int i, int plane, float bound)
    {
        float l = 0.2989f * v[i] + 0.587f * v[plane + i] + 0.114f * v[2 * plane + i];
        return bound == 255f ? (int)l : l;
    }

    /// <summary>
    /// torch.fmod(a, 1) and torch.remainder(a, 1) for a in [-1, 2), as the hue needs them (h / 6 + 1 lies in [5/6, 11/6],
    /// the shifted hue in [-0.5, 1.5)): a - 1 is exact there, as fmod is, and a + 1 is remainder's own correction.
    /// </summary>
    static float Wrap(float a) => a >= 1f ? a - 1f : a < 0f ? a + 1f : a;

    /// <summary>
    /// The image's values as float32 in its own range, in this thread's scratch buffer (valid until the next call on the
    /// thread), and that range's bound (255 for uint8, 1 for float).
    /// </summary>
    static Span<float> Values(Tensor image, out float bound)
    {
        using var x = image.contiguous();
        var raw = x.bytes;
        bool bytes = x.dtype == ScalarType.Byte;
        int length = bytes ? raw.Length : raw.Length / sizeof(float);
        if (scratch is null || scratch.Length < length) scratch = new float[length];
        var v = scratch.AsSpan(0, length);
        if (bytes)
            for (int i = 0; i < v.Length; i++) v[i] = raw[i];
        else
            MemoryMarshal.Cast<byte, float>(raw).CopyTo(v);
        bound = bytes ? 255f : 1f;
        return v;
    }

    /// <summary>A new tensor of <paramref name="like"/>'s shape and dtype holding the values (uint8: truncated, as torch's cast).</summary>
    static Tensor ToImage(Span<float> v, Tensor like)
    {
        var image = empty(like.shape, like.dtype, like.device);
        var target = image.bytes;
        if (like.dtype == ScalarType.Byte)
            for (int i = 0; i < v.Length; i++) target[i] = (byte)(int)v[i]; // values lie in [0, 255]: truncation, as torch's cast
        else
            v.CopyTo(MemoryMarshal.Cast<byte, float>(target));
        return image;
    }

    /// <summary>
    /// Each thread's working copy of the image it adjusts. A loader thread adjusts thousands of images a second: a fresh array
    /// for each would make it trigger most of the process's garbage collections, and a collection another thread triggers is
    /// what can free a TorchSharp temporary in the middle of the training thread's native call (docs/ARCHITECTURE.md, "Threads").
    /// </summary>
    [ThreadStatic] static float[]? scratch;
}
