using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression;

/// <summary>
/// Eval-mode forward time of several models or inference engines on the same inputs, measured alternately
/// (A B A B ...) so that load from other processes (and thermal state) falls on all of them alike: ratios stay
/// meaningful on a busy machine where absolute times do not. Fusion compares a model with its fused copy
/// (<see cref="Alternate"/>); quantization compares TorchSharp with ONNX Runtime engines (<see cref="Measure"/>).
/// </summary>
public static class InferenceTiming
{
    /// <summary>One engine's numbers.</summary>
    /// <param name="Name">The engine.</param>
    /// <param name="LatencyMs">Median milliseconds per batch-1 call.</param>
    /// <param name="ImagesPerSecond">Images per second at the large batch.</param>
    public sealed record Result(string Name, double LatencyMs, double ImagesPerSecond);

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
                var model = models[i];
                // item() waits for the result on any device.
                double seconds = Seconds(() => model.call(batch).sum().item<float>());
                if (r >= 0) times[i][r] = seconds;
            }
        return times;
    }

    /// <summary>Measures each engine: one warm-up call of each size, then <paramref name="rounds"/> rounds of
    /// <paramref name="latencyCalls"/> batch-1 calls and one large-batch call per engine.</summary>
    /// <param name="engines">Name and forward function (input -> logits) of each engine.</param>
    /// <param name="single">A batch-1 input.</param>
    /// <param name="large">A large-batch input (e.g. 64).</param>
    /// <param name="rounds">Rounds, each timing every engine once.</param>
    /// <param name="latencyCalls">Batch-1 calls per engine per round.</param>
    public static IReadOnlyList<Result> Measure(IReadOnlyList<(string Name, Func<Tensor, Tensor> Forward)> engines, Tensor single, Tensor large, int rounds = 5, int latencyCalls = 10)
    {
        var latencies = engines.Select(_ => new List<double>()).ToArray();
        var largeSeconds = new double[engines.Count];
        using var _ = inference_mode();
        for (int i = 0; i < engines.Count; i++)
        {
            var forward = engines[i].Forward;
            Seconds(() => forward(single));
            Seconds(() => forward(large));
        }
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < engines.Count; i++)
            {
                var forward = engines[i].Forward;
                for (int k = 0; k < latencyCalls; k++) latencies[i].Add(Seconds(() => forward(single)) * 1000);
                largeSeconds[i] += Seconds(() => forward(large));
            }
        return engines.Select((e, i) =>
        {
            var sorted = latencies[i].Order().ToArray();
            return new Result(e.Name, sorted[sorted.Length / 2], rounds * large.shape[0] / largeSeconds[i]);
        }).ToArray();
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Wall seconds of one call, its tensors freed with the scope (the clock stops before they are).</summary>
    static double Seconds(Action call)
    {
        using var scope = torch.NewDisposeScope();
        var watch = Stopwatch.StartNew();
        call();
        return watch.Elapsed.TotalSeconds;
    }
}
