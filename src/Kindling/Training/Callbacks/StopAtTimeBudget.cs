using System.Globalization;

namespace Kindling.Training.Callbacks;

/// <summary>
/// Stops a fit at the end of the first epoch after which another would overrun <paramref name="budget"/>: the time is the
/// sum of the epochs' durations (training and validation, as metrics.jsonl records them; a resumed run counts the epochs
/// before the interruption), and the next epoch is expected to take as long as the longest so far. Lightning's
/// <c>max_time</c>, with the stop at an epoch's end so that its checkpoints are written.
/// </summary>
/// <remarks>A schedule sized by the epochs is cut short by such a stop; <c>training.epochs: auto</c> chooses epochs that fit the budget instead.</remarks>
/// <param name="budget">The most the epochs may take together.</param>
public sealed class StopAtTimeBudget(TimeSpan budget) : ITrainerCallback
{
    /// <summary>The budget.</summary>
    public TimeSpan Budget { get; } = budget > TimeSpan.Zero ? budget : throw new ArgumentOutOfRangeException(nameof(budget), budget, "the time budget must be positive.");

    /// <inheritdoc/>
    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        if (metrics.Epoch >= state.Epochs) return;
        double used = state.History.Sum(h => h.Seconds), longest = state.History.Max(h => h.Seconds);
        if (used + longest > Budget.TotalSeconds)
            state.RequestStop(string.Format(CultureInfo.InvariantCulture,
                "time budget of {0:G3} minutes: {1:F1} used, and an epoch takes up to {2:F1}; epoch {3} of {4} ends the run",
                Budget.TotalMinutes, used / 60, longest / 60, metrics.Epoch, state.Epochs));
    }
}
