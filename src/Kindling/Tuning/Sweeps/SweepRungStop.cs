using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Tuning.Sweeps;

/// <summary>
/// Stops a trial at a successive-halving rung: after the epoch, once its last checkpoint is written,
/// so the promoted trial continues from it on the same full-length schedule.
/// </summary>
sealed class SweepRungStop(int epochs) : ITrainerCallback
{
    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        if (metrics.Epoch >= epochs) state.RequestStop($"successive halving rung at {epochs} epochs");
    }
}
