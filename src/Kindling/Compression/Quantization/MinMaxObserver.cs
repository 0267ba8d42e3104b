using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// PyTorch's MinMaxObserver: the running minimum and maximum over every observed value, per tensor.
/// Asymmetric uint8 for activations by default; symmetric int8 when asked.
/// </summary>
public sealed class MinMaxObserver(int quantMin = QuantParams.UInt8Min, int quantMax = QuantParams.UInt8Max, bool symmetric = false) : IObserver
{
    float min = float.PositiveInfinity, max = float.NegativeInfinity;

    /// <inheritdoc/>
    public bool HasObserved => min <= max;

    /// <inheritdoc/>
    public void Observe(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var (lo, hi) = x.detach().aminmax();
        min = MathF.Min(min, lo.to(ScalarType.Float32).item<float>());
        max = MathF.Max(max, hi.to(ScalarType.Float32).item<float>());
    }

    /// <inheritdoc/>
    public QuantParams Compute() => HasObserved
        ? QuantMath.Calculate(new[] { min }, new[] { max }, quantMin, quantMax, symmetric)
        : throw new InvalidOperationException("MinMaxObserver: no values observed.");
}
