using System.ComponentModel;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench eval`: eval steps in inference mode, optionally channels-last and conv-BN fused.</summary>
sealed class BenchEvalCommand : Command<BenchEvalCommand.Settings>
{
    public sealed class Settings : BenchCaseSettings
    {
        [CommandOption("--fused")]
        [Description("Fold each BatchNorm into the convolution before it first.")]
        public bool Fused { get; init; }

        public override BenchSettings ToBench() => base.ToBench() with { Fused = Fused };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        BenchOutput.Print(StepBenchmarks.Eval(settings.ToBench()), settings.Json);
}
