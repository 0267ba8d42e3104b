using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench peak`: the CPU's fp32 FMA throughput on --threads threads (default: every core), what no kernel can pass.</summary>
sealed class BenchPeakCommand : Command<BenchCaseSettings>
{
    public override int Execute(CommandContext context, BenchCaseSettings settings, CancellationToken cancellation) =>
        BenchOutput.Print(FmaPeak.Run(settings.ToBench()), settings.Json);
}
