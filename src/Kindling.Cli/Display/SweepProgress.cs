using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Cli.Display;

/// <summary>A sweep trial's epochs as plain lines, each starting with the trial's name.</summary>
sealed class SweepProgress(TextWriter output, string trial) : ITrainerCallback
{
    public void OnEpochEnd(TrainerState state, EpochMetrics metrics) => output.WriteLine($"  {trial} {EpochLine.Format(metrics, state.Epochs)}");
}
