using Kindling.Data.Loading;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Tests.Training.Tasks;

/// <summary>What the task tests share: a run interrupted mid-epoch and resumed, and exact comparisons of weights and metrics.</summary>
static class TaskRuns
{
    /// <summary>Cancels the fit after batch <paramref name="batch"/> of epoch <paramref name="epoch"/>.</summary>
    public sealed class CancelAt(int epoch, int batch, CancellationTokenSource source) : ITrainerCallback
    {
        public void OnBatchEnd(TrainerState state, BatchInfo info)
        {
            if (state.Epoch == epoch && info.Batch == batch) source.Cancel();
        }
    }

    /// <summary>
    /// Trains a fresh task uninterrupted, and another fresh task interrupted at (epoch, batch) then resumed in a third
    /// fresh task (built with other random weights, which the checkpoint must replace); returns both results and networks.
    /// </summary>
    public static (FitResult Full, FitResult Resumed, nn.Module FullNet, nn.Module ResumedNet) FullAndResumed(
        Func<long, TrainingTask> task, TrainerOptions options, Func<IBatchSource> train, Func<IBatchSource?> validation, string dir, int epoch, int batch)
    {
        var fullTask = task(1);
        var full = new Trainer(options with { CheckpointDir = Path.Combine(dir, "a") }).Fit(fullTask, train(), validation());
        using var cancel = new CancellationTokenSource();
        var checkpoints = Path.Combine(dir, "b");
        var first = new Trainer(options with { CheckpointDir = checkpoints }, [new CancelAt(epoch, batch, cancel)])
            .Fit(task(1), train(), validation(), cancellation: cancel.Token);
        if (first.EndReason != "interrupted") throw new InvalidOperationException($"the run was not interrupted: {first.EndReason}");
        var resumedTask = task(99);
        var resumed = new Trainer(options with { CheckpointDir = checkpoints }).Fit(resumedTask, train(), validation(), Path.Combine(checkpoints, "last.ckpt"));
        return (full, resumed, fullTask.Network, resumedTask.Network);
    }

    /// <summary>Every epoch's metrics equal to the last bit (timings aside).</summary>
    public static void AssertSameMetrics(FitResult expected, FitResult actual)
    {
        Assert.Equal(expected.History.Count, actual.History.Count);
        for (int e = 0; e < expected.History.Count; e++)
        {
            Assert.Equal(expected.History[e].Values, actual.History[e].Values);
            Assert.Equal(expected.History[e].LearningRate, actual.History[e].LearningRate);
            Assert.Equal(expected.History[e].GradNorm, actual.History[e].GradNorm);
        }
    }

    /// <summary>Every parameter and buffer equal to the last bit.</summary>
    public static void AssertSameWeights(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, value) in a) Assert.True(value.equal(b[name]).all().item<bool>(), $"{name} differs");
    }

    public static Dictionary<string, Tensor> Copy(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
}
