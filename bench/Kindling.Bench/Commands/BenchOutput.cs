
namespace Kindling.Bench.Commands;

/// <summary>Prints one benchmark result: the JSON object, or a few plain lines.</summary>
static class BenchOutput
{
    public static int Print(BenchResult r, bool json)
    {
        if (json)
        {
            Console.WriteLine(BenchJson.Of(r, BenchOptions.Machine()).ToJsonString());
            return 0;
        }
        var s = r.Settings;
        var what = r.Kind is "matmul" ? "matmul 2048x2048 fp32" : r.Kind is "peak" ? $"fp32 FMA peak, {FmaPeak.Lanes}-lane vectors, {s.Threads} thread(s)" : r.Kind is "data" ? $"loader, batch {s.Batch}, {s.Workers} worker(s)" : $"{r.Kind} {s.Model}, batch {s.Batch}{(s.ChannelsLast ? ", channels-last" : "")}{(s.Fused ? ", fused" : "")}";
        var threads = r.Kind == "peak" ? "" : $", {TorchSharp.torch.get_num_threads()} thread(s)"; // peak names its own threads
        Console.WriteLine($"{what}: {r.TimedSteps} timed steps in {r.Seconds:F2} s{threads}");
        if (r.Kind is not ("matmul" or "peak")) Console.WriteLine($"  {r.ImagesPerSecond:N1} images/s");
        Console.WriteLine($"  ms per step: data {r.Split.Data:F1}, forward {r.Split.Forward:F1}, backward {r.Split.Backward:F1}, optimizer {r.Split.Optimizer:F1}, whole step {r.Split.Step:F1}");
        if (r.Gflops > 0) Console.WriteLine($"  {r.Gflops:F1} GFLOP/s ({(r.Kind == "peak" ? "2 per FMA lane" : BenchJson.FlopConvention)})");
        if (r.Accuracy is double a) Console.WriteLine($"  training accuracy over the epoch: {a:P2}");
        Console.WriteLine($"  peak RSS {r.PeakRssMiB:F0} MiB; GC during the timed steps: {r.Gc.Gen0} gen0, {r.Gc.Gen1} gen1, {r.Gc.Gen2} gen2, managed heap {r.Gc.ManagedGrowthMiB:+0.0;-0.0} MiB");
        return 0;
    }
}
