namespace Kindling.Tuning.BatchSize;

/// <summary>What training steps at one batch size cost.</summary>
/// <param name="PeakBytes">The steps' peak resident memory above what was resident right before them; null where it cannot be measured (CUDA in TorchSharp).</param>
/// <param name="ImagesPerSecond">Training throughput of the timed steps.</param>
public sealed record BatchMeasurement(long? PeakBytes, double ImagesPerSecond);
