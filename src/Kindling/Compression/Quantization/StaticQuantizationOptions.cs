namespace Kindling.Compression.Quantization;

/// <summary>Options of post-training static quantization.</summary>
public sealed record StaticQuantizationOptions
{
    /// <summary>The activation observer.</summary>
    public ObserverKind Observer { get; init; } = ObserverKind.MinMax;

    /// <summary>The upper quantile of <see cref="ObserverKind.Percentile"/>.</summary>
    public double Percentile { get; init; } = 0.9999;

    /// <summary>ONNX Runtime intra-op threads for the calibration runs (0: its default).</summary>
    public int IntraOpThreads { get; init; }
}
