using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// The arithmetic of affine quantization, as PyTorch defines it (torch.ao.quantization observers'
/// <c>_calculate_qparams</c> and <c>fake_quantize_per_*_affine</c>), in float32 like PyTorch.
/// </summary>
public static class QuantMath
{
    /// <summary>PyTorch's lower bound on a scale: float32 machine epsilon.</summary>
    public const float Eps = 1.1920929e-07f;

    /// <summary>
    /// Scale and zero point from observed ranges (one entry per tensor or channel). The range is first
    /// widened to contain 0 (so zero is exactly representable). Symmetric: scale = max(|min|, max) / ((qmax-qmin)/2),
    /// zero point 0 for int8 (128 for uint8). Affine: scale = (max-min)/(qmax-qmin), zero point = qmin - round(min/scale),
    /// clamped to the range. Scales never go below <see cref="Eps"/>.
    /// </summary>
    public static QuantParams Calculate(float[] min, float[] max, int quantMin, int quantMax, bool symmetric)
    {
        if (min.Length != max.Length || min.Length == 0) throw new ArgumentException("min and max must have the same, non-zero length.");
        var scales = new float[min.Length];
        var zeros = new int[min.Length];
        for (int i = 0; i < min.Length; i++)
        {
            if (min[i] > max[i]) throw new ArgumentException($"Observed min {min[i]} is above max {max[i]}: nothing was observed?");
            float lo = MathF.Min(min[i], 0f), hi = MathF.Max(max[i], 0f);
            if (symmetric)
            {
                float amax = MathF.Max(-lo, hi);
                scales[i] = MathF.Max(amax / ((float)(quantMax - quantMin) / 2f), Eps);
                zeros[i] = quantMin < 0 ? 0 : (quantMin + quantMax + 1) / 2;
            }
            else
            {
                scales[i] = MathF.Max((hi - lo) / (float)(quantMax - quantMin), Eps);
                zeros[i] = Math.Clamp(quantMin - (int)MathF.Round(lo / scales[i], MidpointRounding.ToEven), quantMin, quantMax);
            }
        }
        return new QuantParams(scales, zeros, quantMin, quantMax);
    }

    /// <summary>
    /// Quantize-dequantize <paramref name="x"/> in the forward pass with a straight-through gradient, as
    /// <c>torch.fake_quantize_per_tensor_affine</c> / <c>_per_channel_affine</c>: the gradient is 1 where
    /// round(x/scale) + zero_point lies inside [QuantMin, QuantMax] and 0 where it is clamped. TorchSharp does
    /// not bind those ops, so: clamp x to that range widened by half a step (the clamp's gradient is the
    /// mask), then add the difference to the quantized value detached.
    /// </summary>
    /// <param name="x">The tensor.</param>
    /// <param name="p">Per-tensor or per-channel parameters.</param>
    /// <param name="axis">The channel axis for per-channel parameters.</param>
    public static Tensor FakeQuantize(Tensor x, QuantParams p, int axis = 0)
    {
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
        if (p.IsPerChannel) shape[axis] = p.Scales.Length;
        var scale = torch.tensor(p.Scales, dtype: x.dtype, device: x.device).reshape(shape);
        var zero = torch.tensor(p.ZeroPoints.Select(z => (float)z).ToArray(), dtype: x.dtype, device: x.device).reshape(shape);
        var lo = (p.QuantMin - 0.5f - zero) * scale;
        var hi = (p.QuantMax + 0.5f - zero) * scale;
        var clamped = torch.maximum(torch.minimum(x, hi), lo);
        var q = torch.clamp(torch.round(x / scale) + zero, p.QuantMin, p.QuantMax);
        var dequantized = (q - zero) * scale;
        return clamped + (dequantized - clamped).detach();
    }

    /// <summary>Per-channel (along axis 0) minima and maxima of <paramref name="x"/>.</summary>
    public static (float[] Min, float[] Max) ChannelRanges(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var flat = x.detach().to(ScalarType.Float32, torch.CPU).reshape(x.shape[0], -1);
        return (flat.amin(1).data<float>().ToArray(), flat.amax(1).data<float>().ToArray());
    }
}
