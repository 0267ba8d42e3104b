namespace Kindling.Compression.Quantization;

/// <summary>
/// PyTorch's PerChannelMinMaxObserver on axis 0 (the output channels of a convolution or linear weight):
/// running minimum and maximum per channel; symmetric int8 by default, as for weights.
/// </summary>
public sealed class PerChannelMinMaxObserver(int quantMin = QuantParams.Int8Min, int quantMax = QuantParams.Int8Max, bool symmetric = true) : IObserver
{
    float[]? min, max;

    /// <inheritdoc/>
    public bool HasObserved => min is not null;

    /// <inheritdoc/>
    public void Observe(TorchSharp.torch.Tensor x)
    {
        var (lo, hi) = QuantMath.ChannelRanges(x);
        if (min is null || max is null)
        {
            (min, max) = (lo, hi);
            return;
        }
        if (lo.Length != min.Length) throw new ArgumentException($"PerChannelMinMaxObserver saw {min.Length} channels, now {lo.Length}.");
        for (int i = 0; i < lo.Length; i++)
        {
            min[i] = MathF.Min(min[i], lo[i]);
            max[i] = MathF.Max(max[i], hi[i]);
        }
    }

    /// <inheritdoc/>
    public QuantParams Compute() => min is not null && max is not null
        ? QuantMath.Calculate(min, max, quantMin, quantMax, symmetric)
        : throw new InvalidOperationException("PerChannelMinMaxObserver: no values observed.");
}
