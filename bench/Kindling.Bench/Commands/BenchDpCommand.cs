using System.ComponentModel;
using Kindling.Distributed;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>
/// `mpirun -np N kindling bench dp`: data-parallel training steps (the engine's step with gradients averaged in buckets),
/// --batch being the global batch; without mpirun, the one-rank baseline of the same case.
/// </summary>
sealed class BenchDpCommand : Command<BenchDpCommand.Settings>
{
    public sealed class Settings : BenchCaseSettings
    {
        [CommandOption("--bucket-mb")]
        [Description("Gradient bucket size in MiB (distributed.bucket_mb; default 25).")]
        public double BucketMb { get; init; } = 25;

        public override ValidationResult Validate() =>
            !(BucketMb > 0) ? ValidationResult.Error($"--bucket-mb must be positive (got {BucketMb}).") : base.Validate();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        using var world = DistributedLaunch.Open();
        var result = DataParallelBench.Train(world, settings.ToBench(), settings.BucketMb);
        if (world.Rank != 0) return 0;
        Console.WriteLine(settings.Json ? result.ToJsonString() : string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{0}, global batch {1} over {2} rank(s) x {3} thread(s): {4:N1} images/s, {5:F1} ms a step, of which {6:F1} ms averaging gradients ({7:P1})",
            settings.Model, settings.Batch, world.Size, (int)result["threads"]!, (double)result["images_per_second"]!, (double)result["step_ms"]!,
            (double)result["communication_ms_per_step"]!, (double)result["communication_share"]!));
        return 0;
    }
}
