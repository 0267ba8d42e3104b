using System.ComponentModel;
using Kindling.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>`kindling compare RUN_DIR...`: the ablation table (differing recipe keys, final metrics) as Markdown and CSV, and an overlay of validation curves.</summary>
sealed class CompareCommand : Command<CompareCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN_DIR>")]
        [Description("Run folders written by `kindling train`.")]
        public string[] Runs { get; init; } = Array.Empty<string>();

        [CommandOption("--sort")]
        [Description("Summary metric to sort by (e.g. test_accuracy); losses ascend, the rest descend.")]
        public string? Sort { get; init; }

        [CommandOption("--metric")]
        [Description("Per-epoch metric for the overlay plot (default val_accuracy).")]
        public string Metric { get; init; } = "val_accuracy";

        [CommandOption("--out")]
        [Description("Folder for compare.md, compare.csv and the curves PNG (default: compare/).")]
        public string Out { get; init; } = "compare";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var comparison = RunComparison.Load(settings.Runs);
        var markdown = comparison.ToMarkdown(settings.Sort);
        Directory.CreateDirectory(settings.Out);
        File.WriteAllText(Path.Combine(settings.Out, "compare.md"), markdown);
        File.WriteAllText(Path.Combine(settings.Out, "compare.csv"), comparison.ToCsv(settings.Sort));
        var plot = Path.Combine(settings.Out, $"{settings.Metric}.png");
        comparison.PlotCurves(plot, settings.Metric);
        Console.Write(markdown);
        Console.Error.WriteLine($"wrote {Path.Combine(settings.Out, "compare.md")}, compare.csv and {plot}");
        return 0;
    }
}
