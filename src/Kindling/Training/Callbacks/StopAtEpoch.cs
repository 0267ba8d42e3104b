namespace Kindling.Training.Callbacks;

/// <summary>
/// Stops a fit after epoch <paramref name="epoch"/> (its checkpoints written), saying why: a successive-halving rung,
/// or any budget cut short of the schedule's length without changing the schedule.
/// </summary>
/// <param name="epoch">The last epoch to train.</param>
/// <param name="reason">Recorded as the fit's end reason ("stopped: REASON").</param>
public sealed class StopAtEpoch(int epoch, string reason) : ITrainerCallback
{
    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        if (metrics.Epoch >= epoch) state.RequestStop(reason);
    }
}
