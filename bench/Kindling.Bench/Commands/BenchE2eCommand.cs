using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench e2e`: training epochs with the loader and the standard CIFAR augmentation.</summary>
sealed class BenchE2eCommand : Command<BenchE2eCommand.Settings>
{
    public sealed class Settings : BenchDataSettings
    {
        [CommandOption("--epochs")]
        [Description("Timed epochs over the data (default 1); --steps is not used, --warmup steps run on a synthetic batch first.")]
        public int Epochs { get; init; } = 1;

        public override ValidationResult Validate() =>
            Epochs < 1 ? ValidationResult.Error($"--epochs must be >= 1 (got {Epochs}).") : base.Validate();

        public override BenchSettings ToBench() => base.ToBench() with { Epochs = Epochs };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        BenchOutput.Print(StepBenchmarks.Epoch(settings.ToBench()), settings.Json);
}
