using System.ComponentModel;
using System.Globalization;
using Kindling.Cli.Display;
using Kindling.Config;
using Kindling.Data.Datasets;
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

        [CommandOption("--plain")]
        [Description("Plain progress lines instead of the live display.")]
        public bool Plain { get; init; }

        public override ValidationResult Validate() =>
            Resume is not null && (Config is not null || Set.Length > 0 || Out is not null)
                ? ValidationResult.Error("--resume continues a run with its own recipe and folder: drop --config, --set and --out.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) => Run(settings);

    /// <summary>Trains as `kindling train` does; <paramref name="adjust"/> changes the loaded recipe first (`kindling distill` sets the teacher).</summary>
    internal static int Run(Settings settings, Func<Recipe, Recipe>? adjust = null)
    {
        TorchRuntime.EnsureLoaded();
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
            folder = RunFolder.Create(settings.Out ?? RunFolder.NewPath("runs", Path.GetFileNameWithoutExtension(path)));
        }

        if (adjust is not null) recipe = adjust(recipe);
        var log = Console.Error;
        using var training = RecipeTraining.Open(recipe, folder, resumeFrom, new DataOpenOptions { Download = true, Log = line => log.WriteLine(line) });
        var run = training.Run;
        log.WriteLine($"data: {run.Data.Name}: {run.TrainSet.Count:N0} train, {run.ValidationSet?.Count ?? 0:N0} validation{(run.ValidatesOnTest ? " (the test split)" : "")}, " +
                      $"{run.TestSet?.Count ?? 0:N0} test, {run.Classes.Count} classes, {run.TrainSet.Shape}");
        log.WriteLine($"model: {run.Recipe.Model.Name}, {run.Model.parameters().Sum(p => p.numel()):N0} parameters; run folder: {folder.Root}");
        if (run.Teacher is { } teacher)
            log.WriteLine(string.Format(CultureInfo.InvariantCulture, "teacher: {0} ({1:N0} parameters, frozen); alpha {2}, temperature {3}",
                run.Recipe.Distillation.Teacher, teacher.Teacher.parameters().Sum(p => p.numel()), teacher.Alpha, teacher.Temperature));

        FitResult result;
        using (var interrupt = new Interruption(log, "finishing the current step and writing the last checkpoint"))
        {
            bool live = !settings.Plain && LiveProgress.Supported;
            result = live
                ? LiveProgress.Run(display => training.Fit([display], interrupt.Token))
                : training.Fit([new PlainProgress(Console.Out, run.Recipe.Logging.LogEveryNSteps)], interrupt.Token);
        }

        if (result.EndReason == "interrupted")
        {
            log.WriteLine($"stopped. Resume with: kindling train --resume {folder.Root}");
            return Interrupted;
        }

        var (_, test) = training.Finish(result);
        var line = string.Format(CultureInfo.InvariantCulture, "{0} after {1} epochs ({2}); best epoch {3}", result.EndReason, result.History.Count,
            TimeSpan.FromSeconds(result.History.Sum(h => h.Seconds)).ToString(@"m\:ss"), result.BestEpoch);
        if (test is not null) line += string.Format(CultureInfo.InvariantCulture, "; test accuracy {0:P2}, macro F1 {1:F4}", test.Accuracy, test.Report.Macro.F1);
        Console.WriteLine(line);
        Console.WriteLine($"run folder: {folder.Root} (report.md, plots/, tensorboard/, checkpoints/)");
        return 0;
    }
}
