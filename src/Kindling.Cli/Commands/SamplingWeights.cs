using Kindling.Config;
using Kindling.Training.Tasks;

namespace Kindling.Cli.Commands;

/// <summary>Which weights `sample`, `interpolate` and `fid` draw from: the run's average (training.ema) unless --raw-weights.</summary>
static class SamplingWeights
{
    /// <summary>Puts the checkpoint's averaged weights into <paramref name="task"/> unless <paramref name="raw"/>; says which weights it holds.</summary>
    public static string Choose(string checkpoint, TrainingTask task, bool raw) =>
        !raw && CheckpointTask.LoadAveragedWeights(checkpoint, task) ? "the averaged weights (training.ema)" : "the checkpoint's weights";
}
