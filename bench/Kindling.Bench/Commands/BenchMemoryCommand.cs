using System.ComponentModel;
using System.Text.Json;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Bench.Commands;

/// <summary>`kindling bench memory [--task seed-cnn|ddpm|dcgan|wgan-gp|gan]`: RSS of a long training epoch (the seed CNN, or a GAN task), step 100 against the last step.</summary>
sealed class BenchMemoryCommand : Command<BenchMemoryCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--steps")]
        [Description("Training steps (default 1000).")]
        public int Steps { get; init; } = 1000;

        [CommandOption("--batch")]
        [Description("Batch size (default 8).")]
        public int Batch { get; init; } = 8;

        [CommandOption("--threads")]
        [Description("Intra-op threads (torch.set_num_threads); 0 (default) keeps libtorch's default.")]
        public int Threads { get; init; }

        [CommandOption("--progress-every")]
        [Description("A progress line on stderr every N steps (default 100; 0: none). With --json too: stdout stays one JSON object.")]
        public int ProgressEvery { get; init; } = 100;

        [CommandOption("--task")]
        [Description("What trains: seed-cnn (default; a classifier on 3x32x32), or a generative task on 1x28x28: ddpm (the recipe's U-Net), dcgan, wgan-gp, gan (the seed's MLP GAN).")]
        public string Task { get; init; } = "seed-cnn";

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            Steps < 100 ? ValidationResult.Error($"--steps must be >= 100 (step 100 is the reference); got {Steps}.")
            : Batch < 1 ? ValidationResult.Error($"--batch must be >= 1 (got {Batch}).")
            : Threads < 0 ? ValidationResult.Error($"--threads must be >= 0 (got {Threads}).")
            : Task is not ("seed-cnn" or "ddpm") && !GanBenchTasks.Names.Contains(Task) ? ValidationResult.Error($"--task '{Task}' is not known; expected seed-cnn, ddpm, {string.Join(", ", GanBenchTasks.Names)}.")
            : ProgressEvery < 0 ? ValidationResult.Error($"--progress-every must be >= 0 (got {ProgressEvery}).")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var report = MemoryBenchmark.Run(settings.Steps, settings.Batch, line => Console.Error.WriteLine(line), settings.Threads, settings.ProgressEvery, settings.Task);
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                machine = BenchOptions.Machine(),
                task = settings.Task,
                threads = report.Threads,
                growth_from_step_100 = report.GrowthFromStep100,
                flat = report.Flat,
                samples = report.Samples.Select(s => new { step = s.Step, rss_mib = s.RssMiB, managed_mib = s.ManagedMiB, gen0 = s.Gen0, gen1 = s.Gen1, gen2 = s.Gen2, live_tensors = s.LiveTensors, created_outside_scope = s.CreatedOutsideScope }),
            }));
            return 0;
        }
        var first = report.Samples.First(s => s.Step == 100);
        var last = report.Samples[^1];
        AnsiConsole.WriteLine($"RSS at step 100: {first.RssMiB:F0} MiB; at step {last.Step}: {last.RssMiB:F0} MiB ({report.GrowthFromStep100:+0.0%;-0.0%}); " +
                              $"{(report.Flat ? "flat (within 10%)" : "NOT flat (over 10%)")}; {report.Threads} thread(s), {last.LiveTensors} live tensors at the end. GC: {last.Gen0} gen0, {last.Gen1} gen1, {last.Gen2} gen2.");
        return report.Flat ? 0 : 1;
    }
}
