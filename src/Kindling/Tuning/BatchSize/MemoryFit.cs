namespace Kindling.Tuning.BatchSize;

/// <summary>
/// A training step's peak memory as a line in the batch size: a fixed part (weights, gradients, optimizer
/// state, workspace) plus a part per sample (activations kept for the backward pass), fitted by least squares.
/// </summary>
/// <param name="FixedBytes">The intercept.</param>
/// <param name="BytesPerSample">The slope.</param>
public sealed record MemoryFit(double FixedBytes, double BytesPerSample)
{
    /// <summary>The least-squares line through (batch size, peak bytes); needs two different batch sizes.</summary>
    /// <exception cref="ArgumentException">Fewer than two different batch sizes.</exception>
    public static MemoryFit Fit(IReadOnlyList<(int BatchSize, double Bytes)> points)
    {
        if (points.Select(p => p.BatchSize).Distinct().Count() < 2)
            throw new ArgumentException($"a line needs peaks at two different batch sizes; got {points.Count} point{(points.Count == 1 ? "" : "s")}.");
        double mx = points.Average(p => (double)p.BatchSize), my = points.Average(p => p.Bytes);
        double sxy = points.Sum(p => (p.BatchSize - mx) * (p.Bytes - my)), sxx = points.Sum(p => (p.BatchSize - mx) * (p.BatchSize - mx));
        double slope = sxy / sxx;
        return new MemoryFit(my - slope * mx, slope);
    }

    /// <summary>The predicted peak at <paramref name="batchSize"/>.</summary>
    public double Predict(int batchSize) => FixedBytes + BytesPerSample * batchSize;

    /// <summary>The largest batch whose predicted peak fits <paramref name="budgetBytes"/> (0 when not even the fixed part fits; int.MaxValue when memory does not grow with the batch).</summary>
    public int MaxBatchSize(double budgetBytes)
    {
        if (budgetBytes < FixedBytes + Math.Max(BytesPerSample, 0)) return 0;
        if (BytesPerSample <= 0) return int.MaxValue;
        return (int)Math.Min(int.MaxValue, Math.Floor((budgetBytes - FixedBytes) / BytesPerSample));
    }
}
