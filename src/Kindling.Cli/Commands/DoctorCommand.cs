using System.ComponentModel;
using Kindling.Cli.Display;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Diagnostics.Doctor;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling doctor --config FILE`: runs the doctor's checks against a recipe's data, model, loss and
/// optimizer and prints what is wrong and how to fix it. Exits 3 when a finding is an error.
/// </summary>
sealed class DoctorCommand : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <FILE>")]
        [Description("The recipe (YAML) to examine (default: configs/fashion-mnist-fast.yaml).")]
        public string? Config { get; init; }

        [CommandOption("--set <KEY=VALUE>")]
        [Description("Override a recipe key, e.g. --set data.batch_size=8 (repeatable).")]
        public string[] Set { get; init; } = [];

        [CommandOption("--json")]
        [Description("Print the findings as JSON.")]
        public bool Json { get; init; }

        [CommandOption("--onnx <FILE>")]
        [Description("Check an exported ONNX model against --checkpoint on edge cases (all-black, all-white, noise, a batch of one) instead of a recipe.")]
        public string? Onnx { get; init; }

        [CommandOption("--checkpoint <FILE>")]
        [Description("With --onnx: the checkpoint the model was exported from.")]
        public string? Checkpoint { get; init; }

        [CommandOption("--tolerance <VALUE>")]
        [Description("With --onnx: the largest |logit difference| accepted (default 1e-3).")]
        public double Tolerance { get; init; } = Kindling.Export.Onnx.OnnxEdgeCaseCheck.DefaultTolerance;

        [CommandOption("--skip-slow")]
        [Description("Leave out the checks that train (overfit one batch, the LR range test).")]
        public bool SkipSlow { get; init; }

        public override ValidationResult Validate() =>
            Onnx is not null && Checkpoint is null ? ValidationResult.Error("--onnx FILE needs --checkpoint CKPT, the checkpoint it was exported from.")
            : Onnx is null && Checkpoint is not null ? ValidationResult.Error("--checkpoint is for --onnx FILE; to examine a recipe use --config.")
            : !(Tolerance > 0) ? ValidationResult.Error($"--tolerance must be > 0; got {Tolerance}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        if (settings.Onnx is not null)
        {
            var onnx = OnnxDoctor.Check(settings.Onnx, settings.Checkpoint!, settings.Tolerance).Report;
            if (settings.Json) Console.WriteLine(DoctorPrinter.Json(onnx));
            else DoctorPrinter.Print(onnx, Console.Out, asTable: !Console.IsOutputRedirected);
            return onnx.HasErrors ? DoctorPrinter.ErrorFound : 0;
        }
        var recipe = Recipe.Load(settings.Config ?? RecipeLocator.Find(), settings.Set);
        var open = new DataOpenOptions { Download = true, Log = Console.Error.WriteLine };
        // lr: auto and batch_size: auto are chosen as kindling train chooses them, so the doctor sees the run that would train;
        // epochs: auto is not timed for it: the learning-rate check reads the schedule's peak, which the number of epochs does not move.
        recipe = RecipeTuning.WithoutAuto(recipe, lr: false, batchSize: false);
        if (RecipeTuning.HasAuto(recipe)) recipe = RecipeTuning.Resolve(recipe, open, Console.Error.WriteLine).Recipe;
        using var run = RecipeBuilder.Build(recipe, open);
        var report = new Doctor().Run(RecipeDoctor.Subject(run), new DoctorOptions { SkipSlow = settings.SkipSlow },
            check => { if (check.Slow) Console.Error.WriteLine($"doctor: {check.Name} (trains for a while)..."); });
        if (settings.Json) Console.WriteLine(DoctorPrinter.Json(report));
        else DoctorPrinter.Print(report, Console.Out, asTable: !Console.IsOutputRedirected);
        return report.HasErrors ? DoctorPrinter.ErrorFound : 0;
    }
}
