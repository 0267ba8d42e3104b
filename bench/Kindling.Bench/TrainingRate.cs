using System.Diagnostics;
using Kindling.Data.Loading;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// How many images per second a model consumes in training (the Trainer's step: <see cref="TrainStep"/>) on
/// synthetic batches: the rate a loader has to beat so training never waits for data.
/// </summary>
public static class TrainingRate
{
    /// <summary>Warm-up steps, then the median-free plain rate over <paramref name="steps"/> timed steps.</summary>
    public static double ImagesPerSecond(nn.Module<Tensor, Tensor> model, int batch, int channels, int size, int classes, int steps = 5, int warmup = 2)
    {
        TorchRuntime.EnsureLoaded();
        using var trainer = new TrainStep(model, classes, batch, channelsLast: false, timer: null);
        using var synthetic = new Batch([randn(batch, channels, size, size)], randint(0, classes, batch, dtype: int64), null, Enumerable.Range(0, batch).ToArray(), 0);
        var watch = new Stopwatch();
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) watch.Start();
            trainer.Run(synthetic);
        }
        watch.Stop();
        return steps * batch / watch.Elapsed.TotalSeconds;
    }
}
