namespace Kindling.Training;

/// <summary>Where training is, as callbacks see it. Callbacks read it and may ask to stop; they do not change the loop.</summary>
public sealed class TrainerState
{
    /// <summary>The current epoch, 1-based (0 before the first).</summary>
    public int Epoch { get; internal set; }

    public int Epochs { get; internal set; }

    /// <summary>Optimizer steps taken so far.</summary>
    public long GlobalStep { get; internal set; }

    /// <summary>Batches in the current epoch (epochs differ in size under a curriculum).</summary>
    public int BatchesPerEpoch { get; internal set; }

    /// <summary>Optimizer steps in the current epoch: batches over accumulation steps, rounded up.</summary>
    public int StepsPerEpoch { get; internal set; }

    /// <summary>
    /// Optimizer steps of every epoch of the run, first to last (all equal unless the sampler's epochs differ in size, as a
    /// curriculum's do): what sizes the schedules that count steps. Empty: every epoch has <see cref="StepsPerEpoch"/>.
    /// </summary>
    public IReadOnlyList<int> StepsByEpoch { get; internal set; } = [];

    /// <summary>The first parameter group's current learning rate.</summary>
    public double LearningRate { get; internal set; }

    /// <summary>Best value so far of <see cref="TrainerOptions.Monitor"/>, and its epoch.</summary>
    public double? BestMetric { get; internal set; }

    public int BestEpoch { get; internal set; }

    /// <summary>Optimizer steps skipped for non-finite losses or gradients.</summary>
    public long SkippedSteps { get; internal set; }

    /// <summary>Metrics of every finished epoch.</summary>
    public List<EpochMetrics> History { get; } = new();

    /// <summary>How far the current epoch got when training was interrupted (null between epochs).</summary>
    public EpochProgress? Progress { get; internal set; }

    /// <summary>
    /// Puts the run's running average of the weights (training.ema) into the model until the result is disposed, as the
    /// ema_val_* metrics see them; null when the run keeps no average. For callbacks that show the model, as the sample grids
    /// do: a generative run is judged and sampled from its average.
    /// </summary>
    public Func<IDisposable>? AveragedWeights { get; internal set; }

    public bool StopRequested { get; private set; }
    public string? StopReason { get; private set; }

    /// <summary>Asks the Trainer to stop after the current step (it still writes its last checkpoint).</summary>
    public void RequestStop(string reason)
    {
        StopRequested = true;
        StopReason ??= reason;
    }
}
