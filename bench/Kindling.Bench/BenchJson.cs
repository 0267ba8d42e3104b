using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kindling.Bench;

/// <summary>
/// The JSON line of one benchmark case, field for field what bench/reference/bench.py prints, so
/// the driver reads both sides the same way.
/// </summary>
public static class BenchJson
{
    /// <summary>How the GFLOP/s figures count, printed with every result.</summary>
    public const string FlopConvention = "train/e2e: 6 x MACs per image (forward 2 x MACs, backward 4 x MACs); eval: 2 x MACs; matmul: 2 n^3";

    public static JsonObject Of(BenchResult r, object? machine, string side = "kindling")
    {
        var s = r.Settings;
        return new JsonObject
        {
            ["side"] = side,
            ["kind"] = r.Kind,
            ["model"] = r.Kind is "data" or "matmul" or "peak" ? null : s.Model,
            ["batch"] = s.Batch,
            ["threads"] = r.Kind == "peak" ? s.Threads : TorchSharp.torch.get_num_threads(),
            ["interop_threads"] = TorchSharp.torch.get_num_interop_threads(),
            ["steps"] = r.TimedSteps,
            ["warmup"] = s.Warmup,
            ["epochs"] = r.Kind == "e2e" ? s.Epochs : null,
            ["workers"] = r.Kind is "data" or "e2e" ? s.Workers : null,
            ["channels_last"] = s.ChannelsLast,
            ["fused"] = s.Fused,
            ["engine"] = s.Engine,
            ["parameters"] = r.Parameters,
            ["macs_per_image"] = r.MacsPerImage,
            ["images"] = r.Images,
            ["seconds"] = r.Seconds,
            ["images_per_second"] = r.ImagesPerSecond,
            ["ms_per_step"] = new JsonObject
            {
                ["data"] = r.Split.Data, ["forward"] = r.Split.Forward, ["backward"] = r.Split.Backward,
                ["optimizer"] = r.Split.Optimizer, ["step"] = r.Split.Step, ["best_step"] = r.Split.BestStep,
            },
            ["flops_per_image"] = r.FlopsPerImage,
            ["flop_convention"] = FlopConvention,
            ["gflops"] = r.Gflops,
            ["peak_rss_mib"] = r.PeakRssMiB,
            ["gc"] = new JsonObject { ["gen0"] = r.Gc.Gen0, ["gen1"] = r.Gc.Gen1, ["gen2"] = r.Gc.Gen2, ["managed_growth_mib"] = r.Gc.ManagedGrowthMiB },
            ["accuracy"] = r.Accuracy,
            ["machine"] = machine is null ? null : JsonSerializer.SerializeToNode(machine),
        };
    }
}
