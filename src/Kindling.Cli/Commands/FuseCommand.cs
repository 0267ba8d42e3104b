using System.ComponentModel;
using System.Text.Json;
using Kindling.Compression;
using Kindling.Compression.Fusion;
using Kindling.Config;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling fuse --checkpoint C [--against C2] [--batch 64] [--rounds 20] [--json]`: which BatchNorms fold into their
/// convolutions and why the others stay, and the eval speed of the fused model against the unfused one (and, with
/// --against, against another checkpoint such as the unpruned model), measured alternately.
/// </summary>
sealed class FuseCommand : Command<FuseCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint written by `kindling train` or `kindling prune`.")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--against")]
        [Description("Another checkpoint to time alongside (e.g. the unpruned model), unfused.")]
        public string? Against { get; init; }

        [CommandOption("--batch")]
        [Description("Images per forward pass (default 64).")]
        public int Batch { get; init; } = 64;

        [CommandOption("--rounds")]
        [Description("Timed rounds; each runs every model once, in turn (default 20).")]
        public int Rounds { get; init; } = 20;

        [CommandOption("--threads")]
        [Description("libtorch threads (default: its own choice). 1 keeps timings honest on a busy machine, where threads waiting for each other dominate.")]
        public int? Threads { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : Batch < 1 ? ValidationResult.Error($"--batch must be >= 1, not {Batch}.")
            : Rounds < 1 ? ValidationResult.Error($"--rounds must be >= 1, not {Rounds}.")
            : Threads is < 1 ? ValidationResult.Error($"--threads must be >= 1, not {Threads}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        if (settings.Threads is int threads) set_num_threads(threads);
        var (_, unfused) = CheckpointModel.Load(settings.Checkpoint);
        var (_, fused) = CheckpointModel.Load(settings.Checkpoint);
        var shape = unfused.InputShape;
        unfused.Model.eval();
        fused.Model.eval();
        var plan = ModelFusion.Plan(fused.Model, new long[] { shape.Channels, shape.Height, shape.Width });
        ModelFusion.Fuse(fused.Model, plan);

        var models = new List<(string Name, nn.Module<Tensor, Tensor> Model)> { ("unfused", unfused.Model), ("fused", fused.Model) };
        if (settings.Against is not null)
        {
            var against = CheckpointModel.Load(settings.Against).Pipeline;
            if (against.InputShape != shape) throw new ArgumentException($"{settings.Against} takes {against.InputShape} images; {settings.Checkpoint} takes {shape}.");
            models.Add(("against", against.Model));
        }
        using var batch = randn(new long[] { settings.Batch, shape.Channels, shape.Height, shape.Width }, generator: new Generator(0));
        double maxDiff;
        using (inference_mode()) maxDiff = (fused.Model.call(batch) - unfused.Model.call(batch)).abs().max().item<float>();
        var times = InferenceTiming.Alternate(models.Select(m => m.Model).ToList(), batch, settings.Rounds);
        var medians = times.Select(InferenceTiming.Median).ToList();

        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                checkpoint = settings.Checkpoint, against = settings.Against, batch = settings.Batch, rounds = settings.Rounds, threads = get_num_threads(),
                folded = plan.Pairs.Select(p => new { layer = p.Layer, norm = p.Norm }),
                left = plan.Unfolded.Select(u => new { norm = u.Norm, reason = u.Reason }),
                max_abs_difference = maxDiff,
                median_ms = models.Select((m, i) => (m.Name, medians[i] * 1000)).ToDictionary(x => x.Name, x => x.Item2),
                speedup_fused = medians[0] / medians[1],
                speedup_against_over_fused = settings.Against is null ? (double?)null : medians[2] / medians[1],
                speedup_against_over_unfused = settings.Against is null ? (double?)null : medians[2] / medians[0],
            }));
            return 0;
        }
        Console.WriteLine($"{plan.Pairs.Count} BatchNorms folded, {plan.Unfolded.Count} left; fused - unfused outputs differ by at most {maxDiff:G3}");
        foreach (var p in plan.Pairs) Console.WriteLine($"  folded {p.Norm} into {p.Layer}");
        foreach (var u in plan.Unfolded) Console.WriteLine($"  left {u.Norm}: {u.Reason}");
        Console.WriteLine($"eval speed, batch {settings.Batch}, {settings.Rounds} alternating rounds, {get_num_threads()} threads (median ms per batch):");
        for (int i = 0; i < models.Count; i++)
            Console.WriteLine($"  {models[i].Name,-8} {medians[i] * 1000,9:F1} ms  {settings.Batch / medians[i],8:F0} images/s");
        Console.WriteLine($"  fused is {medians[0] / medians[1]:F2}x the unfused speed");
        if (settings.Against is not null)
            Console.WriteLine($"  unfused is {medians[2] / medians[0]:F2}x and fused {medians[2] / medians[1]:F2}x the speed of {settings.Against}");
        return 0;
    }
}
