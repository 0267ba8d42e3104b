using System.ComponentModel;
using System.Globalization;
using Kindling.Cli.Display;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Diagnostics.Doctor;
using Kindling.Distributed;
using Kindling.Diagnostics.Doctor.Checks;
using Kindling.Training.Tasks;
using Kindling.Diagnostics.Gradients;
using Kindling.Diagnostics.Profiling;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Training;
using Kindling.Training.Callbacks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling train`: a recipe (the default one with no arguments) trained into a run folder with the
/// live display, TensorBoard, plots and report. Ctrl-C finishes the current step, writes the last
/// checkpoint and says how to resume; `--resume DIR` continues exactly.
/// </summary>
sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public const int Interrupted = 130;

    public class Settings : CommandSettings
    {
        [CommandOption("--config")]
        [Description("Recipe YAML (default: configs/fashion-mnist-fast.yaml).")]
        public string? Config { get; init; }

        [CommandOption("--set")]
        [Description("Override a recipe key: --set optimizer.lr=3e-3 (repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();

        [CommandOption("--out")]
        [Description("Run folder (default: runs/<recipe>-<time>).")]
        public string? Out { get; init; }

        [CommandOption("--resume")]
        [Description("Continue the run in this folder from its last checkpoint.")]
        public string? Resume { get; init; }

        [CommandOption("--overwrite")]
        [Description("Clear a previous run's --out folder and start over (without it a non-empty folder is refused).")]
        public bool Overwrite { get; init; }

        [CommandOption("--plain")]
        [Description("Plain progress lines instead of the live display.")]
        public bool Plain { get; init; }

        [CommandOption("--profile")]
        [Description("Time every step's phases (data, host-to-device, forward, backward, optimizer, logging): table, verdict, profile.json, plots/profile.png.")]
        public bool Profile { get; init; }

        [CommandOption("--detect-anomaly")]
        [Description("libtorch's autograd anomaly mode: stop at the first op whose backward returns NaN and name it (slow; for debugging).")]
        public bool DetectAnomaly { get; init; }

        [CommandOption("--grad-monitor")]
        [Description("Per-parameter gradient and weight norms each step: TensorBoard, gradients.jsonl, a table at the end, and the layer where a NaN/Inf first appeared.")]
        public bool GradMonitor { get; init; }

        [CommandOption("--grad-monitor-every <STEPS>")]
        [Description("Write the per-parameter scalars to TensorBoard every this many optimizer steps (default 10).")]
        public int GradMonitorEvery { get; init; } = 10;

        [CommandOption("--no-doctor")]
        [Description("Skip the doctor's fast checks before training (they stop the run on an error, exit 3).")]
        public bool NoDoctor { get; init; }

        public override ValidationResult Validate() =>
            Resume is not null && (Config is not null || Set.Length > 0 || Out is not null || Overwrite)
                ? ValidationResult.Error("--resume continues a run with its own recipe and folder: drop --config, --set, --out and --overwrite.")
                : GradMonitorEvery < 1 ? ValidationResult.Error($"--grad-monitor-every must be at least 1; got {GradMonitorEvery}.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) => Run(settings);

    /// <summary>Trains as `kindling train` does; <paramref name="adjust"/> changes the loaded recipe first (`kindling distill` sets the teacher).</summary>
    internal static int Run(Settings settings, Func<Recipe, Recipe>? adjust = null)
    {
        TorchRuntime.EnsureLoaded();
        // Under mpirun this process is one rank of a data-parallel job (MPI is loaded only then); otherwise a world of one.
        using var world = DistributedLaunch.Open();
        if (world.Size == 1) return Run(settings, adjust, world);
        try
        {
            int code = Run(settings, adjust, world);
            // A rank that stops on its own (the doctor, a full disk) must not leave the others waiting for it.
            if (code is not (0 or Interrupted)) world.Abort($"rank {world.Rank} stopped with exit code {code} (its message is above): stopping the job.", code);
            return code;
        }
        catch (Exception e)
        {
            // One rank failing must stop the job now; the others would otherwise wait for it until the collective timeout.
            world.Abort($"error: {e.Message}", e is RecipeException or UsageException ? CliErrors.Usage : CliErrors.Failure);
            throw;
        }
    }

    static int Run(Settings settings, Func<Recipe, Recipe>? adjust, ICommunicator world)
    {
        var verb = settings is DistillCommand.Settings ? "distill" : "train";
        bool leader = world.Rank == 0;
        RunFolder folder;
        Recipe recipe;
        string? resumeFrom = null;
        if (settings.Resume is not null)
        {
            folder = RunFolder.Open(settings.Resume);
            resumeFrom = folder.LastCheckpoint;
            if (!File.Exists(resumeFrom)) throw new FileNotFoundException($"{settings.Resume} has no checkpoints/last.ckpt to resume from.", resumeFrom);
            recipe = Recipe.Load(folder.ConfigPath);
        }
        else
        {
            var path = settings.Config ?? RecipeLocator.Find();
            recipe = Recipe.Load(path, settings.Set);
            // The default folder's name has the time in it: rank 0 chooses it for everyone.
            var root = world.BroadcastString(settings.Out ?? RunFolder.NewPath("runs", Path.GetFileNameWithoutExtension(path)));
            if (leader) OutputFolder.Prepare(root, settings.Overwrite, verb);
            folder = leader ? RunFolder.Create(root) : RunFolder.Reference(root);
        }

        if (adjust is not null) recipe = adjust(recipe);
        // Ranks other than 0 train silently; their errors still reach standard error.
        var log = leader ? Console.Error : TextWriter.Null;
        if (world.Size > 1)
            log.WriteLine($"data-parallel: {world.Size} ranks ({world.Backend}); data.batch_size {recipe.Data.BatchSize} is the global batch, " +
                          $"{recipe.Data.BatchSize / Math.Max(1, world.Size)} per rank; rank 0 writes the run folder.");
        var open = new DataOpenOptions { Download = true, Log = line => log.WriteLine(line) };
        // lr: auto and batch_size: auto are chosen in Open, before the run is built (a resumed run's config has the numbers).
        using var training = RecipeTraining.Open(recipe, folder, resumeFrom, open, world: world);
        var run = training.Run;
        log.WriteLine($"data: {run.Data.Name}: {run.TrainSet.Count:N0} train, {run.ValidationSet?.Count ?? 0:N0} validation{(run.ValidatesOnTest ? " (the test split)" : "")}, " +
                      $"{run.TestSet?.Count ?? 0:N0} test, {run.Classes.Count} classes, {run.TrainSet.Shape}");
        var trained = run.Model is null ? $"task: {run.Recipe.Task}" : $"model: {run.Recipe.Model.Name}{(run.Recipe.Task == "classification" ? "" : $" ({run.Recipe.Task})")}";
        log.WriteLine($"{trained}, {run.Task.Network.parameters().Sum(p => p.numel()):N0} parameters; run folder: {folder.Root}");
        if (run.ChannelsLastChoice is { } channelsLast) log.WriteLine(channelsLast);
        if (OneDnnIsaCap.Notice is { } oneDnn) log.WriteLine(oneDnn);
        if (run.Teacher is { } teacher)
            log.WriteLine(string.Format(CultureInfo.InvariantCulture, "teacher: {0} ({1:N0} parameters, frozen); alpha {2}, temperature {3}",
                run.Recipe.Distillation.Teacher, teacher.Teacher.parameters().Sum(p => p.numel()), teacher.Alpha, teacher.Temperature));
        if (leader && resumeFrom is null && !settings.NoDoctor)
        {
            // The fast checks cost about two batches; an error would waste the whole run, so it stops here.
            // The engine-safeguards lines say what the engine does for every run; `kindling doctor` prints them, a training log need not repeat them.
            // Most checks are a classifier's (softmax inputs, label ranges, class balance); every task gets the machine's.
            IEnumerable<IDoctorCheck> checks = run.Task is ClassificationTask
                ? Doctor.DefaultChecks().Where(c => c is not EngineSafeguardsCheck)
                : [new ConvolutionKernelsCheck()];
            var report = new Doctor(checks).Run(RecipeDoctor.Subject(run), new DoctorOptions { SkipSlow = true });
            DoctorPrinter.Print(report, log, asTable: !Console.IsErrorRedirected);
            if (report.HasErrors)
            {
                log.WriteLine("training not started: fix the errors above (or run with --no-doctor to train anyway).");
                if (world.Size > 1) world.Abort("the doctor found errors (above): the job is stopped on every rank.", DoctorPrinter.ErrorFound);
                return DoctorPrinter.ErrorFound;
            }
        }

        var monitor = settings.GradMonitor && leader
            ? new GradientMonitor(run.Task.Network, new GradientMonitorOptions
            {
                TensorBoardDir = run.Recipe.Logging.Tensorboard ? folder.TensorBoardDir : null,
                JsonlPath = Path.Combine(folder.Root, "gradients.jsonl"),
                LogEvery = settings.GradMonitorEvery,
                Log = line => log.WriteLine($"gradient monitor: {line}"),
            })
            : null;
        var profiler = settings.Profile && leader ? new StepProfiler() : null;
        ITrainerCallback[] extra = monitor is null ? [] : [monitor];
        TrainerOptions Adjust(TrainerOptions o) => o with { StepTimer = profiler, DetectAnomaly = settings.DetectAnomaly };

        FitResult result;
        using (var interrupt = new Interruption(log, "finishing the current step and writing the last checkpoint"))
        {
            try
            {
                bool live = !settings.Plain && LiveProgress.Supported;
                result = !leader ? training.Fit(extra, interrupt.Token, Adjust)
                    : live
                    ? LiveProgress.Run(display => training.Fit([.. extra, display], interrupt.Token, Adjust))
                    : training.Fit([.. extra, new PlainProgress(Console.Out, run.Recipe.Logging.LogEveryNSteps)], interrupt.Token, Adjust);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A full disk or a folder that turned read-only: checkpoints are written to a temporary file and renamed,
                // so the one from the previous epoch is intact and the run continues from it.
                log.WriteLine($"error: the run could not write its files: {e.Message}");
                log.WriteLine(File.Exists(folder.LastCheckpoint)
                    ? $"the last good checkpoint is kept ({folder.LastCheckpoint}); free some space, then resume with: kindling {verb} --resume {folder.Root}"
                    : $"no checkpoint had been written yet; free some space, then start again with --out {folder.Root} --overwrite.");
                return CliErrors.Failure;
            }
            finally
            {
                if (monitor is not null) DiagnosticsOutput.Gradients(monitor, Console.Out);
                if (profiler is not null) DiagnosticsOutput.Profile(profiler.Summary(), folder, Console.Out);
            }
        }

        if (!leader) return result.EndReason == "interrupted" ? Interrupted : 0;
        if (result.EndReason == "interrupted")
        {
            log.WriteLine($"stopped. Resume with: kindling {verb} --resume {folder.Root}");
            return Interrupted;
        }

        var (summary, test) = training.Finish(result);
        var line = string.Format(CultureInfo.InvariantCulture, "{0} after {1} epochs ({2}); best epoch {3}", result.EndReason, result.History.Count,
            ElapsedTime.Format(result.History.Sum(h => h.Seconds)), result.BestEpoch);
        if (test is not null) line += string.Format(CultureInfo.InvariantCulture, "; test accuracy {0:P2}, macro F1 {1:F4}", test.Accuracy, test.Report.Macro.F1);
        else if (summary.TestMetrics is { Count: > 0 } metrics)
            line += "; test " + string.Join(", ", metrics.Select(kv => string.Format(CultureInfo.InvariantCulture, "{0} {1:F4}", kv.Key, kv.Value)));
        Console.WriteLine(line);
        Console.WriteLine($"run folder: {folder.Root} (report.md, plots/, tensorboard/, checkpoints/)");
        return 0;
    }
}
