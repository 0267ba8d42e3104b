namespace Kindling.Training;

/// <summary>What a Fit produced: the epochs run, the best epoch and why training ended.</summary>
public sealed record FitResult(IReadOnlyList<EpochMetrics> History, int BestEpoch, double? BestMetric, string EndReason, long SkippedSteps,
    string? BestCheckpoint, string? LastCheckpoint);
