using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench simclr`: SimCLR training steps (two views, encoder, projection, NT-Xent, SGD); bench/reference/simclr_step.py is PyTorch's side.</summary>
sealed class BenchSimClrCommand : Command<BenchSimClrCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model")]
        [Description("fastnet (width 0.5, default) or resnet18 (CIFAR stem), headless.")]
        public string Model { get; init; } = "fastnet";

        [CommandOption("--batch")]
        [Description("Images per step (two views each; default 256).")]
        public int Batch { get; init; } = 256;

        [CommandOption("--steps")]
        [Description("Timed steps (default 10).")]
        public int Steps { get; init; } = 10;

        [CommandOption("--warmup")]
        [Description("Untimed steps first (default 2).")]
        public int Warmup { get; init; } = 2;

        [CommandOption("--threads")]
        [Description("Intra-op threads; 0 (default) keeps libtorch's default.")]
        public int Threads { get; init; }

        [CommandOption("--nchw")]
        [Description("Plain NCHW instead of channels-last.")]
        public bool Nchw { get; init; }

        [CommandOption("--chunks")]
        [Description("Run the 2N images through the encoder in this many equal chunks (1: one batch; 2: view by view, as the seed). Each chunk has its own BatchNorm statistics.")]
        public int Chunks { get; init; } = 1;

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Batch < 2 ? ValidationResult.Error("--batch must be >= 2 (NT-Xent needs negatives).")
            : Steps < 1 || Warmup < 0 ? ValidationResult.Error("--steps must be >= 1 and --warmup >= 0.")
            : Chunks < 1 || 2 * Batch % Chunks != 0 ? ValidationResult.Error("--chunks must divide 2 x --batch.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var t = SimClrBenchmark.Step(s.Model, s.Batch, s.Steps, s.Warmup, s.Threads, !s.Nchw, chunks: s.Chunks);
        if (s.Json)
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                engine = "kindling", model = t.Model, batch = t.Batch, steps = t.Steps, median_ms = t.MedianMs, mean_ms = t.MeanMs,
                images_per_second = t.ImagesPerSecond, chunks = s.Chunks, threads = t.Threads, channels_last = t.ChannelsLast, machine = BenchOptions.Machine(),
            }));
        else
            AnsiConsole.WriteLine($"kindling simclr step, {t.Model} batch {t.Batch} (2 views){(t.ChannelsLast ? ", channels-last" : "")}, {t.Threads} threads: median {t.MedianMs:F1} ms, {t.ImagesPerSecond:F1} images/s");
        return 0;
    }
}
