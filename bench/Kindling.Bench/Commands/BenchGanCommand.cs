using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace Kindling.Bench.Commands;

/// <summary>
/// `kindling bench gan --task dcgan`: the engine's training step of a GAN task (both players: the discriminator's step and the
/// generator's) on a fixed synthetic batch of 1x28x28 images in [-1, 1], timed after a warm-up; the same JSON as
/// bench/generative/dcgan_reference.py prints, which bench/generative/dcgan_bench.py runs alternately with it.
/// </summary>
sealed class BenchGanCommand : Command<BenchGanCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--task")]
        [Description("dcgan (default), wgan-gp or gan.")]
        public string Task { get; init; } = "dcgan";

        [CommandOption("--batch")]
        [Description("Batch size (default 64, the recipes').")]
        public int Batch { get; init; } = 64;

        [CommandOption("--steps")]
        [Description("Timed steps (default 50).")]
        public int Steps { get; init; } = 50;

        [CommandOption("--warmup")]
        [Description("Untimed steps first (default 5).")]
        public int Warmup { get; init; } = 5;

        [CommandOption("--threads")]
        [Description("Intra-op threads; 0 (default) keeps libtorch's default.")]
        public int Threads { get; init; }

        [CommandOption("--nchw")]
        [Description("Contiguous NCHW batches and weights instead of channels-last.")]
        public bool Nchw { get; init; }

        [CommandOption("--unfused")]
        [Description("The generator's upsample-conv pairs as PyTorch's modules run them, not as one transposed convolution each.")]
        public bool Unfused { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            !GanBenchTasks.Names.Contains(Task) ? Spectre.Console.ValidationResult.Error($"--task '{Task}' is not known; expected {string.Join(", ", GanBenchTasks.Names)}.")
            : Batch < 1 || Steps < 1 || Warmup < 0 || Threads < 0 ? Spectre.Console.ValidationResult.Error("--batch and --steps must be >= 1, --warmup and --threads >= 0.")
            : Spectre.Console.ValidationResult.Success();
    }

    sealed class Clock(int warmup) : ITrainerCallback
    {
        readonly Stopwatch watch = new();
        public List<double> Milliseconds { get; } = [];
        public void OnBatchEnd(TrainerState state, BatchInfo batch)
        {
            if (batch.Batch > warmup) Milliseconds.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        if (settings.Threads > 0) set_num_threads(settings.Threads);
        var shape = new ImageShape(1, 28, 28);
        int batches = settings.Warmup + settings.Steps + 1;
        // One synthetic batch repeated: the step is timed, not the data.
        var images = rand([settings.Batch, 1, 28, 28], generator: new TorchSharp.torch.Generator(0)) * 2 - 1;
        var inputs = images.repeat(batches, 1, 1, 1);
        using var loader = new TensorLoader(inputs, batchSize: settings.Batch);
        using var task = GanBenchTasks.Create(settings.Task, shape, fuseUpsampleConv: !settings.Unfused);
        long parameters = task.Network.parameters().Sum(p => p.numel());
        var clock = new Clock(settings.Warmup + 1);
        new Trainer(new TrainerOptions { Epochs = 1, Optimizer = GanBenchTasks.Adam, Device = "cpu", ChannelsLast = !settings.Nchw }, [clock]).Fit(task, loader);
        var ms = clock.Milliseconds.Order().ToList();
        double median = ms[ms.Count / 2], min = ms[0];
        var result = new
        {
            side = "kindling", @case = settings.Task, batch = settings.Batch, steps = ms.Count, threads = get_num_threads(), channels_last = !settings.Nchw, fused_upsample_conv = !settings.Unfused,
            parameters, median_ms = median, min_ms = min, images_per_second = settings.Batch / (median / 1000),
        };
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(result));
        else Console.WriteLine($"{settings.Task} training step, batch {settings.Batch}: median {median:F1} ms (min {min:F1}), {result.images_per_second:F0} images/s, {parameters:N0} parameters, {result.threads} thread(s).");
        return 0;
    }
}
