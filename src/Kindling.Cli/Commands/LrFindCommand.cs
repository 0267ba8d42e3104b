using System.ComponentModel;
using System.Globalization;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Runtime;
using Kindling.Tuning.LrFinding;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling lr-find --config FILE`: the LR range test with the recipe's data, augmentation, model, optimizer
/// and loss; prints the suggestions and writes lr-find.png and lr-find.json. The recipe's model starts from
/// its seeded initialisation, as a run would.
/// </summary>
sealed class LrFindCommand : Command<LrFindCommand.Settings>
{
    public sealed class Settings : RecipeSettings
    {
        [CommandOption("--start-lr <LR>")]
        [Description("The sweep's first learning rate (default 1e-7).")]
        public double StartLr { get; init; } = 1e-7;

        [CommandOption("--end-lr <LR>")]
        [Description("The sweep's last learning rate (default 10).")]
        public double EndLr { get; init; } = 10;

        [CommandOption("--steps <N>")]
        [Description("Optimizer steps in the sweep (default 100).")]
        public int Steps { get; init; } = 100;

        [CommandOption("--out <DIR>")]
        [Description("Where lr-find.png and lr-find.json go (default: runs/<recipe>-lr-find-<time>).")]
        public string? Out { get; init; }

        [CommandOption("--json")]
        [Description("Print the curve and the suggestions as JSON.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var options = new LrFinderOptions { StartLr = settings.StartLr, EndLr = settings.EndLr, Steps = settings.Steps }.Validate();
        var path = settings.RecipePath;
        var recipe = settings.LoadRecipe();
        TorchRuntime.EnsureLoaded();
        var log = Console.Error;
        var open = new DataOpenOptions { Download = true, Log = log.WriteLine };
        // The rate found is for the batch trained with: an auto batch size is chosen first.
        if (recipe.Data.BatchSizeIsAuto) recipe = RecipeTuning.Resolve(RecipeTuning.WithoutAuto(recipe, batchSize: false), open, log.WriteLine).Recipe;
        var outDir = settings.ToolFolder(settings.Out, "lr-find");

        using var run = RecipeBuilder.Build(RecipeTuning.WithoutAuto(recipe), open);
        log.WriteLine($"lr-find: {run.Recipe.Model.Name} on {run.Data.Name} ({run.TrainSet.Count:N0} training images, batch {run.Recipe.Data.BatchSize}), " +
                      $"{run.Recipe.Optimizer.Name}, {options.Steps} steps from {Show(options.StartLr)} to {Show(options.EndLr)}");
        var result = RecipeTuning.FindLr(run, options, p =>
        {
            if (p.Step % 10 == 0) log.WriteLine($"  step {p.Step,4}  lr {Show(p.Lr),9}  loss {p.Loss:F4}  smoothed {p.SmoothedLoss:F4}");
        }, cancellation);
        var json = Path.Combine(outDir, "lr-find.json");
        result.SaveJson(json);
        string? png = result.Points.Count > 0 ? LrFinderPlot.Save(result, Path.Combine(outDir, "lr-find.png"), $"LR range test: {Path.GetFileName(path)} ({run.Recipe.Optimizer.Name}, batch {run.Recipe.Data.BatchSize})") : null;

        if (settings.Json)
        {
            Console.WriteLine(result.ToJson());
            return 0;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        var table = new Table().Border(TableBorder.Simple).AddColumn("key").AddColumn("value");
        table.AddRow("steps", CliErrors.Esc($"{result.Points.Count} of {options.Steps}: {result.StopReason}"));
        table.AddRow("steepest descent", Show(result.Steepest));
        table.AddRow("minimum", Show(result.MinimumLr));
        table.AddRow("minimum / 10", Show(result.MinimumTenth));
        if (result.Steepest is not null || result.MinimumTenth is not null)
        {
            var (lr, how) = RecipeTuning.ChooseLr(run.Recipe, result);
            table.AddRow("lr: auto takes", CliErrors.Esc($"{Show(lr)}: {how} ({run.Recipe.Schedule.Name})"));
        }
        if (!recipe.Optimizer.LrIsAuto) table.AddRow("recipe lr", Show(recipe.Optimizer.Lr));
        table.AddRow("curve", CliErrors.Esc(json));
        if (png is not null) table.AddRow("plot", CliErrors.Esc(png));
        console.Write(table);
        return 0;
    }

    static string Show(double? v) => v?.ToString("G3", CultureInfo.InvariantCulture) ?? "- (too few points: lower --start-lr)";
}
