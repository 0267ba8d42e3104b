using System.ComponentModel;
using System.Globalization;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Data.Datasets;
using Kindling.Runtime;
using Kindling.Tuning.BatchSize;
using Kindling.Tuning.LrFinding;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling batch-size --config FILE`: the largest batch the recipe's training step fits (CUDA: doubling until
/// out of memory, then backing off; CPU: peak memory per size against a budget), images/s per size, and the
/// learning rate carried to the chosen batch; a table, batch-size.png and batch-size.json.
/// </summary>
sealed class BatchSizeCommand : Command<BatchSizeCommand.Settings>
{
    public sealed class Settings : RecipeSettings
    {
        [CommandOption("--start <N>")]
        [Description("The first batch size tried (default 16).")]
        public int Start { get; init; } = 16;

        [CommandOption("--max <N>")]
        [Description("The largest batch size tried (default 1024).")]
        public int Max { get; init; } = 1024;

        [CommandOption("--memory-budget <SIZE>")]
        [Description("CPU: memory a training step may take, e.g. 6GiB or 512MiB (default: 80% of the available memory).")]
        public string? MemoryBudget { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Where batch-size.png and batch-size.json go (default: runs/<recipe>-batch-size-<time>).")]
        public string? Out { get; init; }

        [CommandOption("--json")]
        [Description("Print the probes, the fit and the choice as JSON.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var options = new BatchSizeFinderOptions
        {
            Start = settings.Start,
            Max = settings.Max,
            MemoryBudgetBytes = settings.MemoryBudget is { } budget ? MemorySize.Parse(budget) : null,
        }.Validate();
        var path = settings.RecipePath;
        var recipe = settings.LoadRecipe();
        TorchRuntime.EnsureLoaded();
        var log = Console.Error;
        var outDir = settings.ToolFolder(settings.Out, "batch-size");

        using var run = RecipeBuilder.Build(RecipeTuning.WithoutAuto(recipe), new DataOpenOptions { Download = true, Log = log.WriteLine });
        log.WriteLine($"batch-size: {run.Recipe.Model.Name} on {run.Data.Name} ({run.TrainSet.Count:N0} training images, {run.TrainSet.Shape}), {run.Recipe.Optimizer.Name}, " +
                      $"sizes {options.Start} to {options.Max}");
        var result = RecipeTuning.FindBatchSize(run, options, p => log.WriteLine("  " + RecipeTuning.Describe(p)));
        var json = Path.Combine(outDir, "batch-size.json");
        result.SaveJson(json);
        var png = BatchSizePlot.Save(result, Path.Combine(outDir, "batch-size.png"), $"Batch size: {Path.GetFileName(path)} ({run.Recipe.Model.Name}, {result.Method})");
        if (settings.Json)
        {
            Console.WriteLine(result.ToJson());
            return 0;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        var table = new Table().Border(TableBorder.Simple).AddColumn("batch").AddColumn("fits").AddColumn("peak memory").AddColumn("images/s").AddColumn("note");
        foreach (var p in result.Probes)
            table.AddRow(p.BatchSize.ToString(CultureInfo.InvariantCulture), p.Fits ? "yes" : "no", p.PeakBytes is long m ? BatchSizeSearch.Bytes(m) : "-",
                p.ImagesPerSecond is double s ? s.ToString("N0", CultureInfo.InvariantCulture) : "-", CliErrors.Esc(p.Failure ?? ""));
        console.Write(table);
        console.WriteLine($"chosen: {result.BatchSize} ({result.Method}; limited by {result.Limit})");
        if (result.Fit is { } fit)
            console.WriteLine($"memory: {BatchSizeSearch.Bytes(fit.FixedBytes)} fixed + {BatchSizeSearch.Bytes(fit.BytesPerSample)} per sample; " +
                              $"the budget {BatchSizeSearch.Bytes(result.MemoryBudgetBytes!.Value)} allows {Allows(result.BudgetAllows)}");
        if (result.ThroughputKnee(options.KneeFraction) is int knee)
            console.WriteLine($"throughput: within {options.KneeFraction:P0} of the best from batch {knee} on; larger batches stop paying there");
        if (!recipe.Optimizer.LrIsAuto && (recipe.Optimizer.BaseBatchSize ?? (recipe.Data.BatchSizeIsAuto ? null : recipe.Data.BatchSize)) is int from)
        {
            var scaling = LrScaling.For(recipe.Optimizer.Name, recipe.Optimizer.Lr, from, result.BatchSize);
            console.WriteLine(string.Format(CultureInfo.InvariantCulture, "lr: {0:G3} at batch {1} becomes {2:G3} at batch {3} ({4} rule: {5})", scaling.Lr, from, scaling.ScaledLr, scaling.ToBatchSize, scaling.Rule,
                scaling.Rule == "sqrt" ? $"{recipe.Optimizer.Name} is adaptive" : "SGD's noise scale is lr / batch"));
        }
        console.WriteLine($"plot: {png}; data: {json}");
        return 0;
    }

    static string Allows(int? n) => n is null ? "-" : n == int.MaxValue ? "any batch (memory did not grow with it)" : $"up to {n:N0} samples a batch";
}
