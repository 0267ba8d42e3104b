using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Quantization;

/// <summary>
/// Times several inference engines on the same inputs, alternating between them round by round so that
/// machine load (other processes, thermal state) affects all alike: latency at batch 1 (median of the
/// calls) and throughput at a large batch (images per second over the calls).
/// </summary>
public static class InferenceTiming
{
    /// <summary>One engine's numbers.</summary>
    /// <param name="Name">The engine.</param>
    /// <param name="LatencyMs">Median milliseconds per batch-1 call.</param>
    /// <param name="ImagesPerSecond">Images per second at the large batch.</param>
    public sealed record Result(string Name, double LatencyMs, double ImagesPerSecond);

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
        void Call(int i, Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            engines[i].Forward(x);
        }
        using var _ = torch.inference_mode();
        for (int i = 0; i < engines.Count; i++)
        {
            Call(i, single);
            Call(i, large);
        }
        var clock = new Stopwatch();
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < engines.Count; i++)
            {
                for (int k = 0; k < latencyCalls; k++)
                {
                    clock.Restart();
                    Call(i, single);
                    latencies[i].Add(clock.Elapsed.TotalMilliseconds);
                }
                clock.Restart();
                Call(i, large);
                largeSeconds[i] += clock.Elapsed.TotalSeconds;
            }
        return engines.Select((e, i) =>
        {
            var sorted = latencies[i].Order().ToArray();
            return new Result(e.Name, sorted[sorted.Length / 2], rounds * large.shape[0] / largeSeconds[i]);
        }).ToArray();
    }
}
