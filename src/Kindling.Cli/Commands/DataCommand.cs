using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling data --spec SPEC`: what a data set holds, split by split (count, classes, shape, mean/std, per-class counts).
/// An unlabelled data set (images:PATH) reports no classes and no per-class counts ("labelled": false).
/// --grid draws a grid of samples (and, with --config, the same samples after the recipe's training augmentation);
/// --plot draws the label distribution (written beside the grid when only --grid is given).
/// </summary>
sealed class DataCommand : Command<DataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--spec <SPEC>")]
        [Description("The data set: cifar10:PATH, cifar100:PATH, cifar100-coarse:PATH, mnist:PATH, kmnist:PATH, fashion-mnist[:PATH], imagefolder:PATH, images:PATH (pictures without labels) (PATH a folder or the official archive).")]
        public string Spec { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print one JSON object instead of tables.")]
        public bool Json { get; init; }

        [CommandOption("--download")]
        [Description("Download the official files into the cache ($KINDLING_DATA or ~/.cache/kindling/datasets) when the spec names no path.")]
        public bool Download { get; init; }

        [CommandOption("--grid <PNG>")]
        [Description("Write a grid of samples with their class names (make_grid layout) to this PNG; with --config, a second panel after the recipe's training augmentation.")]
        public string? Grid { get; init; }

        [CommandOption("--plot <PNG>")]
        [Description("Write the per-class counts (train, and test when present) as a bar chart to this PNG (default with --grid: beside it, NAME-labels.png).")]
        public string? Plot { get; init; }

        [CommandOption("--config <FILE>")]
        [Description("Recipe whose transforms.train the grid shows applied (its normalization undone for drawing).")]
        public string? Config { get; init; }

        [CommandOption("--count <N>")]
        [Description("Samples in the grid, drawn a few per class (default 32).")]
        public int Count { get; init; } = 32;

        [CommandOption("--seed <SEED>")]
        [Description("Seed of the sample choice and the augmentation's draws (default 0: the same grid every run).")]
        public int Seed { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Spec)) return ValidationResult.Error($"--spec is required; kinds: {string.Join(", ", DataSpec.Kinds)}.");
            if (Count < 1) return ValidationResult.Error($"--count {Count}: the grid needs at least one sample; give a count of 1 or more (default 32).");
            if (Config is not null && Grid is null) return ValidationResult.Error("--config gives the augmentation the grid shows: add --grid FILE.png.");
            return ValidationResult.Success();
        }
    }

    /// <summary>What one split holds, as printed.</summary>
    sealed record SplitReport(
        [property: JsonPropertyName("count")] int Count,
        [property: JsonPropertyName("shape")] int[] Shape,
        [property: JsonPropertyName("mean")] double[] Mean,
        [property: JsonPropertyName("std")] double[] Std,
        [property: JsonPropertyName("class_counts")] int[]? ClassCounts);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var spec = DataSpec.Parse(settings.Spec);
        // Paths and the recipe are checked before the data is read: a typo costs no decoding.
        if (settings.Grid is not null) OutputFile.Check(settings.Grid, "--grid", ".png");
        if (settings.Plot is not null) OutputFile.Check(settings.Plot, "--plot", ".png");
        var recipe = settings.Config is null ? null : Recipe.Load(settings.Config);
        var open = new DataOpenOptions { Download = settings.Download, Log = Console.Error.WriteLine };
        // The recipe's data.resize applies, so the augmentation sees the images it would see in training.
        var data = spec.Open(recipe is null ? open : recipe.Data.WithResize(open));
        var written = Pictures(settings, recipe, data);
        var splits = new Dictionary<string, SplitReport>();
        foreach (var (name, split) in new[] { ("train", (IImageDataset?)data.Train), ("test", data.Test) })
        {
            if (split is null) continue;
            var stats = ChannelStatistics.Compute(split);
            splits[name] = new SplitReport(split.Count, [split.Shape.Channels, split.Shape.Height, split.Shape.Width],
                [.. stats.Mean], [.. stats.Std], split.HasLabels ? split.CountPerClass() : null);
        }
        bool labelled = data.Train.HasLabels;
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new { spec = spec.ToString(), name = data.Name, labelled, splits, classes = data.Classes, files = written }));
            return 0;
        }
        // Bound to the current Console.Out (not Spectre's process-wide console), so redirected output is honoured.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        console.MarkupLine(labelled
            ? $"[bold]{CliErrors.Esc(data.Name)}[/]: {data.Classes.Count} classes: {CliErrors.Esc(string.Join(", ", data.Classes))}"
            : $"[bold]{CliErrors.Esc(data.Name)}[/]: no labels (unlabelled pictures; imagefolder:PATH with class subfolders gives classes)");
        foreach (var (name, r) in splits)
        {
            var table = new Table().Border(TableBorder.Simple).Title(CliErrors.Esc(name)).AddColumn("key").AddColumn("value");
            table.AddRow("count", r.Count.ToString("N0"));
            table.AddRow("shape", $"{r.Shape[0]}x{r.Shape[1]}x{r.Shape[2]}");
            table.AddRow("mean", string.Join(", ", r.Mean.Select(m => m.ToString("F4"))));
            table.AddRow("std", string.Join(", ", r.Std.Select(s => s.ToString("F4"))));
            if (r.ClassCounts is not null)
                table.AddRow("per class", CliErrors.Esc(string.Join(", ", r.ClassCounts.Select((n, c) => $"{data.Classes[c]}: {n}"))));
            console.Write(table);
        }
        foreach (var (kind, path) in written) console.MarkupLine($"{kind}: {CliErrors.Esc(path)}");
        return 0;
    }

    /// <summary>The grid and the label plot the options ask for, written; what was written, by kind.</summary>
    static Dictionary<string, string> Pictures(Settings settings, Recipe? recipe, DataSplits data)
    {
        var written = new Dictionary<string, string>();
        var plot = settings.Plot;
        if (plot is not null && !data.Train.HasLabels)
            throw new UsageException($"error: --plot draws per-class counts, and {data.Name} has no labels (images:PATH); use imagefolder:PATH with class subfolders.");
        if (settings.Grid is { } grid)
        {
            var options = new SampleGridOptions { Count = settings.Count, Seed = settings.Seed };
            if (recipe is not null)
            {
                // Built as a training run builds it: the same implied to_tensor/normalize and auto statistics.
                var augment = RecipeBuilder.Transform(recipe.Transforms.Train, RecipeBuilder.Normalization(recipe, data.Train));
                var (mean, std) = SampleGrid.Normalization(augment);
                options = options with { Augment = augment, Mean = mean, Std = std };
            }
            written["grid"] = SampleGrid.Save(data.Train, grid, options);
            if (plot is null && data.Train.HasLabels)
                plot = Path.Combine(Path.GetDirectoryName(grid) ?? "", Path.GetFileNameWithoutExtension(grid) + "-labels.png");
        }
        if (plot is not null) written["label_plot"] = LabelDistributionPlot.Save(data.Train, data.Test, plot);
        return written;
    }
}
