using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// Clips outliers: the range is the <c>1 - p</c> and <c>p</c> quantiles of each observed batch (linear
/// interpolation, as <c>torch.quantile</c>), averaged over the batches. With p = 0.9999 a ReLU output's
/// rare spikes no longer stretch the scale for every other value. Asymmetric uint8 by default.
/// </summary>
public sealed class PercentileObserver : IObserver
{
    readonly double p;
    readonly int quantMin, quantMax;
    readonly bool symmetric;
    double sumMin, sumMax;
    int batches;

    /// <param name="percentile">The upper quantile p in (0.5, 1]; the lower one is 1 - p.</param>
    /// <param name="quantMin">Smallest quantized value.</param>
    /// <param name="quantMax">Largest quantized value.</param>
    /// <param name="symmetric">Symmetric parameters (zero point 0).</param>
    public PercentileObserver(double percentile = 0.9999, int quantMin = QuantParams.UInt8Min, int quantMax = QuantParams.UInt8Max, bool symmetric = false)
    {
        if (!(percentile > 0.5 && percentile <= 1)) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must be in (0.5, 1], e.g. 0.9999.");
        (p, this.quantMin, this.quantMax, this.symmetric) = (percentile, quantMin, quantMax, symmetric);
    }

    /// <inheritdoc/>
    public bool HasObserved => batches > 0;

    /// <inheritdoc/>
    public void Observe(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        // torch.quantile sorts (and refuses more than 2^24 values): a strided subsample of at most 2^20
        // values keeps the estimate (a 0.9999 quantile still has 100 values above it) and the cost bounded.
        var flat = x.detach().to(ScalarType.Float64, torch.CPU).flatten();
        const long limit = 1 << 20;
        if (flat.numel() > limit) flat = flat[TensorIndex.Slice(0, null, (flat.numel() + limit - 1) / limit)];
        var q = torch.quantile(flat, torch.tensor(new[] { 1 - p, p }, ScalarType.Float64)).data<double>().ToArray();
        sumMin += q[0];
        sumMax += q[1];
        batches++;
    }

    /// <inheritdoc/>
    public QuantParams Compute() => batches > 0
        ? QuantMath.Calculate(new[] { (float)(sumMin / batches) }, new[] { (float)(sumMax / batches) }, quantMin, quantMax, symmetric)
        : throw new InvalidOperationException("PercentileObserver: no values observed.");
}
