using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Cli.Display;

/// <summary>Progress as plain lines, no control codes: for CI, pipes and log files.</summary>
sealed class PlainProgress(TextWriter output, int everyNSteps) : ITrainerCallback
{
    public void OnBatchEnd(TrainerState state, BatchInfo batch)
    {
        if (everyNSteps > 0 && (batch.Batch % everyNSteps == 0))
            output.WriteLine($"  epoch {state.Epoch} {EpochLine.Step(batch)}");
    }

    public void OnEpochEnd(TrainerState state, EpochMetrics metrics) => output.WriteLine(EpochLine.Format(metrics, state.Epochs));

    public void OnCheckpoint(TrainerState state, string path, string kind)
    {
        if (kind != "last") output.WriteLine($"  saved {kind} checkpoint: {path}");
    }
}
