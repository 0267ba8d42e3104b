namespace Kindling.Tuning.BatchSize;

/// <summary>One batch size tried.</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="Fits">Whether its training steps ran within memory (and the budget).</param>
/// <param name="PeakBytes">Peak memory above the baseline, where measured.</param>
/// <param name="ImagesPerSecond">Training throughput, where it ran.</param>
/// <param name="Failure">Why it did not fit (out of memory, over the budget).</param>
public sealed record BatchSizeProbe(int BatchSize, bool Fits, long? PeakBytes, double? ImagesPerSecond, string? Failure);
