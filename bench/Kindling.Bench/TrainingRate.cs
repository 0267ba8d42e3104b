using System.Diagnostics;
using Kindling.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Bench;

/// <summary>
/// How many images per second a model consumes in training (forward, backward, AdamW step) on
/// synthetic batches: the rate a loader has to beat so training never waits for data.
/// </summary>
public static class TrainingRate
{
    /// <summary>Warm-up steps, then the median-free plain rate over <paramref name="steps"/> timed steps.</summary>
    public static double ImagesPerSecond(nn.Module<Tensor, Tensor> model, int batch, int channels, int size, int classes, int steps = 5, int warmup = 2)
    {
        TorchRuntime.EnsureLoaded();
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
        using var x = randn(batch, channels, size, size);
        using var y = randint(0, classes, batch, dtype: int64);
        var watch = new Stopwatch();
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) watch.Start();
            using var scope = NewDisposeScope();
            model.zero_grad(set_to_none: true); // the optimizer's zero_grad only zeroes
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }
        watch.Stop();
        return steps * batch / watch.Elapsed.TotalSeconds;
    }
}
