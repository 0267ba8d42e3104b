namespace Kindling.Compression.Quantization;

/// <summary>How calibration turns observed activations into ranges.</summary>
public enum ObserverKind
{
    /// <summary>The smallest and largest value seen (<see cref="MinMaxObserver"/>).</summary>
    MinMax,
    /// <summary>Per-batch quantiles averaged over batches, clipping outliers (<see cref="PercentileObserver"/>).</summary>
    Percentile,
}
