using System.ComponentModel;
using System.Text.Json;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>
/// `kindling bench data`: the loader alone (standard CIFAR augmentation, collated to float NCHW) in the
/// harness's shape; with --sweep, the loader at several worker counts and augmentations against the
/// seed CNN's training rate.
/// </summary>
sealed class BenchDataCommand : Command<BenchDataCommand.Settings>
{
    public sealed class Settings : BenchDataSettings
    {
        [CommandOption("--sweep")]
        [Description("Comma-separated worker counts: measure crop+flip+normalize and +RandAugment on 32x32 RGB and 28x28 gray at each, against the seed CNN's training rate.")]
        public string? Sweep { get; init; }

        [CommandOption("--training-steps")]
        [Description("--sweep: timed seed-CNN training steps for the reference rate (default 3; 0 skips it).")]
        public int TrainingSteps { get; init; } = 3;

        public override ValidationResult Validate()
        {
            if (Sweep is null) return base.Validate();
            if (Batch < 1) return ValidationResult.Error($"--batch must be >= 1 (got {Batch}).");
            if (Images != 0 && Images < Batch) return ValidationResult.Error($"--images must be at least one batch ({Batch}); got {Images}.");
            if (TrainingSteps < 0) return ValidationResult.Error($"--training-steps must be >= 0 (got {TrainingSteps}).");
            return BenchOptions.ParseWorkers(Sweep, out _, out var error) ? ValidationResult.Success() : ValidationResult.Error(error.Replace("--workers", "--sweep"));
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Sweep is null) return BenchOutput.Print(StepBenchmarks.Data(settings.ToBench()), settings.Json);
        TorchRuntime.EnsureLoaded();
        BenchOptions.ParseWorkers(settings.Sweep, out var workers, out _);
        var report = DataBenchmark.Run(settings.Images > 0 ? settings.Images : 20000, workers, settings.Batch, settings.TrainingSteps,
            settings.Json ? null : line => Console.Error.WriteLine(line));
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                machine = BenchOptions.Machine(),
                training_images_per_second = report.TrainingImagesPerSecond,
                batch = report.Batch,
                images = report.Images,
                cases = report.Cases.Select(c => new { data = c.Data, augmentation = c.Augmentation, workers = c.Workers, images_per_second = c.ImagesPerSecond, times_training_rate = c.TimesTrainingRate }),
            }));
            return 0;
        }
        var table = new Table().AddColumns("data", "augmentation", "workers", "images/s", "x training rate");
        foreach (var c in report.Cases)
            table.AddRow(c.Data, Markup.Escape(c.Augmentation), c.Workers.ToString(), $"{c.ImagesPerSecond:N0}", c.TimesTrainingRate > 0 ? $"{c.TimesTrainingRate:N0}x" : "-");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"seed CNN training (3x32x32, batch {report.Batch}): {report.TrainingImagesPerSecond:N1} images/s; goal: crop+flip+normalize at 1 worker >= 20x.");
        return 0;
    }
}
