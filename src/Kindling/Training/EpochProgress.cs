namespace Kindling.Training;

/// <summary>
/// How far an interrupted epoch got: the batches done, the running sums of the task's logged metrics, the samples seen
/// and the first optimizer's gradient-norm sum. A checkpoint written on interruption carries it, so a resumed run skips
/// those batches (the data order is a function of seed and epoch) and continues the epoch exactly where it stopped.
/// </summary>
/// <param name="Batches">Batches of the epoch done.</param>
/// <param name="Seen">Samples of the epoch done.</param>
/// <param name="NormSum">Sum of the first optimizer's finite gradient norms.</param>
/// <param name="NormCount">How many norms are in <paramref name="NormSum"/>.</param>
/// <param name="Sums">Per metric, [weighted sum, weight] (<see cref="MetricSums.ToState"/>).</param>
public sealed record EpochProgress(int Batches, Dictionary<string, double[]> Sums, long Seen, double NormSum, long NormCount);
