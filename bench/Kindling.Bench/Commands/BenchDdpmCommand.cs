using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench ddpm`: the DDPM U-Net's training step; bench/generative/ddpm_bench.py takes the same flags.</summary>
sealed class BenchDdpmCommand : Command<BenchDdpmCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--batch")]
        [Description("Images per step (default 128, the recipe's).")]
        public int Batch { get; init; } = 128;

        [CommandOption("--threads")]
        [Description("Intra-op threads; 0 (default) keeps libtorch's default.")]
        public int Threads { get; init; }

        [CommandOption("--steps")]
        [Description("Timed steps after the warm-up (default 20).")]
        public int Steps { get; init; } = 20;

        [CommandOption("--warmup")]
        [Description("Untimed steps first (default 3).")]
        public int Warmup { get; init; } = 3;

        [CommandOption("--channels")]
        [Description("The U-Net's first-level channels (default 32, the recipe's).")]
        public int Channels { get; init; } = 32;

        [CommandOption("--timesteps")]
        [Description("Diffusion steps T (default 1000).")]
        public int Timesteps { get; init; } = 1000;

        [CommandOption("--nchw")]
        [Description("Plain NCHW instead of channels-last (the recipe's default on the CPU), to measure the lever.")]
        public bool Nchw { get; init; }

        [CommandOption("--seed")]
        [Description("Seed of the weights and the batch (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Batch < 1 || Steps < 1 || Warmup < 0 || Threads < 0 || Channels < 1 || Timesteps < 1
                ? ValidationResult.Error("--batch, --steps, --channels and --timesteps must be >= 1; --warmup and --threads >= 0.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var s = new BenchSettings { Batch = settings.Batch, Threads = settings.Threads, Steps = settings.Steps, Warmup = settings.Warmup, ChannelsLast = !settings.Nchw, Seed = settings.Seed };
        return BenchOutput.Print(DdpmStepBenchmark.Train(s, settings.Channels, settings.Timesteps), settings.Json);
    }
}
