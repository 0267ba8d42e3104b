using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Kindling.Cli.Display;
using Kindling.Compression.Pruning;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling prune --checkpoint C --amount 0.4 [--structured [-n|--norm 2]] [--global] [--finetune-epochs N] [--iterative-steps K] [--out DIR]`:
/// prunes a trained checkpoint (and fine-tunes it with its own recipe) into a run folder (<see cref="PruneRunFolder"/>).
/// </summary>
sealed class PruneCommand : Command<PruneCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint written by `kindling train`.")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--amount")]
        [Description("Final fraction to prune: of the weights, or (--structured) of every layer's channels.")]
        public double Amount { get; init; } = double.NaN;

        [CommandOption("--structured")]
        [Description("Prune whole filters by their Ln norm (ln_structured dim 0) and remove them: a smaller, faster dense model.")]
        public bool Structured { get; init; }

        [CommandOption("-n|--norm")]
        [Description("The norm's order for --structured: 1, 2 (default), any p > 0, or inf.")]
        public string N { get; init; } = "2";

        [CommandOption("--global")]
        [Description("Unstructured: rank all conv and linear weights together (global_unstructured) instead of per layer.")]
        public bool Global { get; init; }

        [CommandOption("--finetune-epochs")]
        [Description("Fine-tuning epochs after each pruning step, with the checkpoint's recipe (default 0).")]
        public int FinetuneEpochs { get; init; }

        [CommandOption("--finetune-samples")]
        [Description("Fine-tune on a fixed random subset of this many training images (default: all).")]
        public int? FinetuneSamples { get; init; }

        [CommandOption("--iterative-steps")]
        [Description("Reach --amount in this many prune/fine-tune steps (default 1).")]
        public int IterativeSteps { get; init; } = 1;

        [CommandOption("--set")]
        [Description("Override a key of the checkpoint's recipe for fine-tuning: --set optimizer.lr=3e-4 (repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();

        [CommandOption("--out")]
        [Description("Run folder (default: runs/prune-<time>).")]
        public string? Out { get; init; }

        [CommandOption("--json")]
        [Description("Print the summary as one JSON object.")]
        public bool Json { get; init; }

        public double NormOrder => N.Trim().ToLowerInvariant() is "inf" or "infinity" ? double.PositiveInfinity : double.Parse(N, CultureInfo.InvariantCulture);

        public override ValidationResult Validate()
        {
            if (string.IsNullOrEmpty(Checkpoint)) return ValidationResult.Error("--checkpoint FILE is required.");
            if (double.IsNaN(Amount)) return ValidationResult.Error("--amount is required: the fraction to prune, e.g. --amount 0.5.");
            if (!double.TryParse(N, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && N.Trim().ToLowerInvariant() is not ("inf" or "infinity"))
                return ValidationResult.Error($"--norm (-n) must be a number > 0 or inf, not '{N}'.");
            try
            {
                Options().Validate();
                return ValidationResult.Success();
            }
            catch (ArgumentException x) { return ValidationResult.Error(x.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0]); }
        }

        public PruneOptions Options() => new()
        {
            Amount = Amount, Structured = Structured, N = NormOrder, Global = Global, FinetuneEpochs = FinetuneEpochs, FinetuneSamples = FinetuneSamples, IterativeSteps = IterativeSteps,
        };
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var log = Console.Error;
        var meta = TrainingCheckpoint.ReadMeta(settings.Checkpoint);
        var yaml = (string?)meta["config"]
            ?? throw new InvalidDataException($"{settings.Checkpoint} carries no recipe (it was not written by `kindling train`); prune it from C# with Pruner.");
        var recipe = Recipe.Parse(yaml, settings.Set, source: $"{settings.Checkpoint} (stored recipe)");
        var folder = RunFolder.Create(settings.Out ?? RunFolder.NewPath("runs", "prune"));
        using var run = RecipeBuilder.Build(recipe, new DataOpenOptions { Log = line => log.WriteLine(line) });
        var model = run.Classifier("prune");
        TrainingCheckpoint.LoadModel(settings.Checkpoint, model);
        log.WriteLine($"model: {run.Recipe.Model.Name}, {model.parameters().Sum(p => p.numel()):N0} parameters; validation: {run.ValidationSet?.Count ?? 0:N0} images; run folder: {folder.Root}");
        folder.WriteEnvironment(RunEnvironment.Capture(run.Recipe.Training.Device, Environment.CommandLine));

        var options = settings.Options();
        var result = RecipePruning.Run(run, options, line => log.WriteLine(line), new[] { new PlainProgress(log, run.Recipe.Logging.LogEveryNSteps) });
        PruneRunFolder.Write(folder, model, run.Recipe, settings.Checkpoint, options, result);

        if (settings.Json)
        {
            Console.WriteLine(File.ReadAllText(folder.SummaryPath).ReplaceLineEndings(" "));
            return 0;
        }
        Console.Write(result.Sparsity.ToString());
        Console.WriteLine($"accuracy: {result.AccuracyBefore:P2} before, " + string.Join(", ", result.Steps.Select(s =>
            $"{s.AccuracyAfterPrune:P2} pruned to {s.Target:P0}" + (s.AccuracyAfterFinetune is double f ? $", {f:P2} fine-tuned" : ""))) +
            $"; final {result.AccuracyFinal:P2}");
        Console.WriteLine($"parameters: {result.ParametersBefore:N0} -> {result.ParametersAfter:N0}; checkpoint: {PruneRunFolder.CheckpointPath(folder)}");
        return 0;
    }
}
