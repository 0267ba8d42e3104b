using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kindling.Data.Datasets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling data --spec SPEC`: what a data set holds, split by split (count, classes, shape, mean/std, per-class counts).
/// An unlabelled data set (images:PATH) reports no classes and no per-class counts ("labelled": false).
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

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Spec) ? ValidationResult.Error($"--spec is required; kinds: {string.Join(", ", DataSpec.Kinds)}.") : ValidationResult.Success();
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
        var data = spec.Open(new DataOpenOptions { Download = settings.Download, Log = Console.Error.WriteLine });
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
            Console.WriteLine(CliJson.Serialize(new { spec = spec.ToString(), name = data.Name, labelled, splits, classes = data.Classes }));
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
        return 0;
    }
}
