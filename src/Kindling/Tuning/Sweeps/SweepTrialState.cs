namespace Kindling.Tuning.Sweeps;

/// <summary>Where a trial is; recorded in sweep.json.</summary>
public enum SweepTrialState
{
    /// <summary>Not started.</summary>
    Pending,

    /// <summary>Started and not recorded as ended: a killed sweep resumes it from its last checkpoint.</summary>
    Running,

    /// <summary>Stopped at a successive-halving rung, waiting for the rung's other trials.</summary>
    Paused,

    /// <summary>Trained to its full budget (or stopped early by the recipe's early stopping).</summary>
    Completed,

    /// <summary>Not promoted by successive halving.</summary>
    Pruned,

    /// <summary>Training failed (e.g. the loss went non-finite); see its error.</summary>
    Failed,
}
