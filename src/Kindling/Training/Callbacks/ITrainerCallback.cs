namespace Kindling.Training.Callbacks;

/// <summary>
/// Observes training. Every method has an empty default, so a callback implements only what it
/// needs; it may call <see cref="TrainerState.RequestStop"/> but never changes the loop itself.
/// Logging, progress display and run folders are callbacks.
/// </summary>
public interface ITrainerCallback
{
    void OnFitStart(TrainerState state) { }
    void OnEpochStart(TrainerState state) { }
    void OnBatchEnd(TrainerState state, BatchInfo batch) { }

    /// <summary>
    /// Called once per optimizer step, after backward (and loss unscaling under mixed precision) and before
    /// clipping and the step: the only moment gradients exist, since the Trainer frees them right after the
    /// step. <paramref name="batch"/> is the 1-based batch that completes the step; <paramref name="parameters"/>
    /// are those the optimizer steps, by the model's names (the fp32 master copies under mixed precision,
    /// which then hold the gradients). Read them; do not change them, except to mask them as pruning does
    /// (Compression/PrunedModel.cs), which is PyTorch's gradient through weight_orig * mask.
    /// </summary>
    void OnBeforeOptimizerStep(TrainerState state, int batch, IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> parameters) { }
    /// <summary>
    /// After validating (twice per epoch with EMA: the live weights, then the averaged ones). <paramref name="result"/>
    /// holds the task's metrics and its details (a classifier's <see cref="EvalResult"/>).
    /// </summary>
    void OnValidationEnd(TrainerState state, Tasks.TaskValidation result, bool ema) { }
    void OnEpochEnd(TrainerState state, EpochMetrics metrics) { }
    void OnCheckpoint(TrainerState state, string path, string kind) { }
    void OnFitEnd(TrainerState state, FitResult result) { }
}
