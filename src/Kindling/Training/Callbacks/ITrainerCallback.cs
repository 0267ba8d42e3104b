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
    /// clipping and the step: the only moment the parameters' gradients exist, since the Trainer frees them
    /// right after the step. <paramref name="batch"/> is the 1-based batch that completes the step.
    /// </summary>
    void OnBeforeOptimizerStep(TrainerState state, int batch) { }
    void OnValidationEnd(TrainerState state, EvalResult result, bool ema) { }
    void OnEpochEnd(TrainerState state, EpochMetrics metrics) { }
    void OnCheckpoint(TrainerState state, string path, string kind) { }
    void OnFitEnd(TrainerState state, FitResult result) { }
}
