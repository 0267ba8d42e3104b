using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench train`: training steps (forward, backward, AdamW) on a synthetic batch.</summary>
sealed class BenchTrainCommand : Command<BenchCaseSettings>
{
    public override int Execute(CommandContext context, BenchCaseSettings settings, CancellationToken cancellation) =>
        BenchOutput.Print(StepBenchmarks.Train(settings.ToBench()), settings.Json);
}
