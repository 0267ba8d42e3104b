using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// PyTorch's MovingAverageMinMaxObserver, the default for activations in quantization-aware training: the
/// first batch sets min and max, each later one moves them by <c>averagingConstant</c> (0.01) towards its own.
/// </summary>
public sealed class MovingAverageMinMaxObserver(double averagingConstant = 0.01, int quantMin = QuantParams.UInt8Min, int quantMax = QuantParams.UInt8Max, bool symmetric = false) : IObserver
{
    float min = float.PositiveInfinity, max = float.NegativeInfinity;

    /// <inheritdoc/>
    public bool HasObserved => min <= max;

    /// <inheritdoc/>
    public void Observe(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var (lo, hi) = x.detach().aminmax();
        float l = lo.to(ScalarType.Float32).item<float>(), h = hi.to(ScalarType.Float32).item<float>();
        if (!HasObserved)
        {
            (min, max) = (l, h);
            return;
        }
        float c = (float)averagingConstant;
        min += c * (l - min);
        max += c * (h - max);
    }

    /// <inheritdoc/>
    public QuantParams Compute() => HasObserved
        ? QuantMath.Calculate(new[] { min }, new[] { max }, quantMin, quantMax, symmetric)
        : throw new InvalidOperationException("MovingAverageMinMaxObserver: no values observed.");
}
