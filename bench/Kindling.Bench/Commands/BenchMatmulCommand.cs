using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench matmul`: GFLOP/s of a 2048^2 fp32 matmul, the machine's ceiling for the other cases.</summary>
sealed class BenchMatmulCommand : Command<BenchCaseSettings>
{
    public override int Execute(CommandContext context, BenchCaseSettings settings, CancellationToken cancellation) =>
        BenchOutput.Print(StepBenchmarks.Matmul(settings.ToBench()), settings.Json);
}
