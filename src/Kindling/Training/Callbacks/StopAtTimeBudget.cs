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
                "time budget: {0:F1} of {1:F1} minutes used after epoch {2} of {3}, and an epoch takes up to {4:F1}",
                used / 60, Budget.TotalMinutes, metrics.Epoch, state.Epochs, longest / 60));
    }
}
