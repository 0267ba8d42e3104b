using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>The flags `kindling bench train|eval|data|e2e|matmul|peak` share; bench/reference/bench.py takes the same.</summary>
class BenchCaseSettings : CommandSettings
{
    [CommandOption("--model")]
    [Description("seed-cnn (default), resnet18 (CIFAR stem) or fastnet (width 0.5); 10 classes, 3x32x32.")]
    public string Model { get; init; } = "seed-cnn";

    [CommandOption("--batch")]
    [Description("Images per step (default 128).")]
    public int Batch { get; init; } = 128;

    [CommandOption("--threads")]
    [Description("Intra-op threads (torch.set_num_threads); 0 (default) keeps libtorch's default.")]
    public int Threads { get; init; }

    [CommandOption("--steps")]
    [Description("Timed steps after the warm-up (default 20).")]
    public int Steps { get; init; } = 20;

    [CommandOption("--warmup")]
    [Description("Untimed steps first (default 3).")]
    public int Warmup { get; init; } = 3;

    [CommandOption("--channels-last")]
    [Description("NHWC weights and inputs: the default for these convolutional models on the CPU (kept for scripts that say it).")]
    public bool ChannelsLast { get; init; }

    [CommandOption("--nchw")]
    [Description("Plain NCHW instead of channels-last (what a PyTorch user gets by default), to measure the lever.")]
    public bool Nchw { get; init; }

    [CommandOption("--seed")]
    [Description("Seed of weights, synthetic batch and data order (default 0).")]
    public int Seed { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object (the shape bench/reference/bench.py prints).")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (!BenchModels.Names.Contains(Model)) return ValidationResult.Error($"--model '{Model}' is not a benchmark model: expected one of {string.Join(", ", BenchModels.Names)}.");
        if (Batch < 1) return ValidationResult.Error($"--batch must be >= 1 (got {Batch}).");
        if (Threads < 0) return ValidationResult.Error($"--threads must be >= 0 (got {Threads}).");
        if (Steps < 1) return ValidationResult.Error($"--steps must be >= 1 (got {Steps}).");
        if (Warmup < 0) return ValidationResult.Error($"--warmup must be >= 0 (got {Warmup}).");
        if (ChannelsLast && Nchw) return ValidationResult.Error("--channels-last and --nchw contradict each other: give one.");
        return ValidationResult.Success();
    }

    public virtual BenchSettings ToBench() => new()
    {
        Model = Model, Batch = Batch, Threads = Threads, Steps = Steps, Warmup = Warmup, ChannelsLast = !Nchw, Seed = Seed,
    };
}
