using System.Text.Json.Serialization;
using Kindling.Data.Datasets;
using Kindling.Training.Callbacks;

namespace Kindling.Tuning.Sweeps;

/// <summary>
/// How a sweep runs its trials and ranks them. The serializable part is recorded in sweep.json, so a
/// resumed sweep goes on the same way; the delegates (log, progress, trial end) are the caller's.
/// </summary>
public sealed record SweepOptions
{
    /// <summary>The metric trials are ranked by (an epoch metric: val_accuracy, val_loss, val_f1, ...), at each trial's last epoch.</summary>
    public string Metric { get; init; } = "val_accuracy";

    /// <summary>"max" or "min".</summary>
    public string Mode { get; init; } = "max";

    /// <summary>Epochs each trial trains (sets training.epochs); null: the recipe's own.</summary>
    public int? EpochsBudget { get; init; }

    /// <summary>Successive halving: trials start on <see cref="MinEpochs"/> and the best 1/<see cref="Eta"/> go on.</summary>
    public bool Halving { get; init; }

    /// <summary>Successive halving's reduction factor: each rung keeps 1/eta of the trials for eta times the epochs.</summary>
    public int Eta { get; init; } = 3;

    /// <summary>Successive halving's first epoch budget.</summary>
    public int MinEpochs { get; init; } = 1;

    /// <summary>Progress lines (trial starts, epochs, promotions); null: silent.</summary>
    [JsonIgnore] public Action<string>? Log { get; init; }

    /// <summary>More trainer callbacks for each trial (a progress display); null: none.</summary>
    [JsonIgnore] public Func<SweepTrial, IEnumerable<ITrainerCallback>>? TrialCallbacks { get; init; }

    /// <summary>Called after each trial's fit ends and the manifest records it.</summary>
    [JsonIgnore] public Action<SweepTrial>? TrialEnded { get; init; }

    /// <summary>How trials open their data; null: defaults.</summary>
    [JsonIgnore] public DataOpenOptions? Open { get; init; }
}
