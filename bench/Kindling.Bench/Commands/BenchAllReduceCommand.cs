using System.ComponentModel;
using Kindling.Distributed;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`mpirun -np N kindling bench allreduce`: the communicator's all-reduce bandwidth and latency, every result checked.</summary>
sealed class BenchAllReduceCommand : Command<BenchAllReduceCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--mb")]
        [Description("MiB all-reduced per call (default 44: about a ResNet-18's fp32 gradients).")]
        public double Megabytes { get; init; } = 44;

        [CommandOption("--iterations")]
        [Description("Timed all-reduces (default 20).")]
        public int Iterations { get; init; } = 20;

        [CommandOption("--json")]
        [Description("Print one JSON object (rank 0).")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            !(Megabytes > 0) ? ValidationResult.Error($"--mb must be positive (got {Megabytes}).")
            : Iterations < 1 ? ValidationResult.Error($"--iterations must be >= 1 (got {Iterations}).")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        using var world = DistributedLaunch.Open();
        var result = DataParallelBench.AllReduce(world, settings.Megabytes, settings.Iterations);
        if (world.Rank != 0) return 0;
        Console.WriteLine(settings.Json ? result.ToJsonString() : string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "all-reduce of {0:F1} MiB over {1} rank(s) ({2}): {3:F2} ms, algorithm {4:F2} GB/s, bus {5:F2} GB/s; one float: {6:F1} us; results checked",
            (double)result["bytes"]! / 1048576, world.Size, world.Backend, (double)result["seconds_per_allreduce"]! * 1e3,
            (double)result["algorithm_gb_per_s"]!, (double)result["bus_gb_per_s"]!, (double)result["latency_us"]!));
        return 0;
    }
}
