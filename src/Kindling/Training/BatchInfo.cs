namespace Kindling.Training;

/// <summary>One training batch as callbacks see it after its step.</summary>
public sealed record BatchInfo(int Batch, int Batches, double Loss, double Accuracy, double RunningLoss, double RunningAccuracy,
    double LearningRate, double ImagesPerSecond, double? GradNorm, bool OptimizerStepped);
