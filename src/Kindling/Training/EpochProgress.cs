namespace Kindling.Training;

/// <summary>
/// How far an interrupted epoch got: the batches done and the running sums of its training metrics.
/// A checkpoint written on interruption carries it, so a resumed run skips those batches (the data
/// order is a function of seed and epoch) and continues the epoch exactly where it stopped.
/// </summary>
public sealed record EpochProgress(int Batches, double LossSum, double CorrectSum, long Seen, double NormSum, long NormCount);
