using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression;

/// <summary>
/// Eval-mode forward time of several models on the same batch, measured alternately (A B A B ...) so that
/// load from other processes falls on all of them alike: ratios stay meaningful on a busy machine where
/// absolute times do not.
/// </summary>
public static class InferenceTiming
{
    /// <summary>
    /// Seconds per forward pass of each model, one list per model (in order), <paramref name="rounds"/> each,
    /// after <paramref name="warmup"/> untimed rounds. Models run in eval and inference mode.
    /// </summary>
    public static IReadOnlyList<double[]> Alternate(IReadOnlyList<nn.Module<Tensor, Tensor>> models, Tensor batch, int rounds, int warmup = 2)
    {
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "At least one timed round.");
        foreach (var m in models) m.eval();
        var times = models.Select(_ => new double[rounds]).ToList();
        using var _ = inference_mode();
        for (int r = -warmup; r < rounds; r++)
            for (int i = 0; i < models.Count; i++)
            {
                using var scope = NewDisposeScope();
                var watch = Stopwatch.StartNew();
                models[i].call(batch).sum().item<float>(); // item() waits for the result on any device
                if (r >= 0) times[i][r] = watch.Elapsed.TotalSeconds;
            }
        return times;
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
