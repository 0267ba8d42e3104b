namespace Kindling.Training;

/// <summary>One training batch as callbacks see it after its step.</summary>
/// <param name="Batch">1-based position in the epoch.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="Loss">This batch's loss (null for a manual task that returns none).</param>
/// <param name="Running">The epoch's running means of every logged metric so far (loss, accuracy, d_loss, ...).</param>
/// <param name="LearningRate">The first optimizer's learning rate after the step.</param>
/// <param name="ImagesPerSecond">Samples per second so far this epoch.</param>
/// <param name="GradNorm">The first optimizer's pre-clip gradient norm, when it stepped on this batch.</param>
/// <param name="OptimizerStepped">Whether any optimizer stepped on this batch.</param>
public sealed record BatchInfo(int Batch, int Batches, double? Loss, IReadOnlyDictionary<string, double> Running,
    double LearningRate, double ImagesPerSecond, double? GradNorm, bool OptimizerStepped)
{
    /// <summary>The epoch's running mean loss, when the task logs one.</summary>
    public double? RunningLoss => Running.TryGetValue("loss", out var v) ? v : null;

    /// <summary>The epoch's running accuracy, when the task logs one.</summary>
    public double? RunningAccuracy => Running.TryGetValue("accuracy", out var v) ? v : null;
}
