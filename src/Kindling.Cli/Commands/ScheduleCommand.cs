using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>`kindling schedule --config FILE`: the recipe's LR and momentum at every optimizer step, without training, as JSON and a PNG plot.</summary>
sealed class ScheduleCommand : Command<ScheduleCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <FILE>")]
        [Description("The recipe (YAML), e.g. configs/cifar100-resnet18.yaml.")]
        public string Config { get; init; } = "";

        [CommandOption("--set <KEY=VALUE>")]
        [Description("Override a recipe key, e.g. --set optimizer.lr=3e-3 (repeatable).")]
        public string[] Set { get; init; } = [];

        [CommandOption("--json")]
        [Description("Print [{\"step\":..,\"epoch\":..,\"lr\":..,\"momentum\":..}, ...] instead of a summary.")]
        public bool Json { get; init; }

        [CommandOption("--out <PNG>")]
        [Description("Write the plot (LR and momentum against the optimizer step) to this PNG.")]
        public string? Out { get; init; }

        [CommandOption("--samples <N>")]
        [Description("Training samples per epoch; default: counted from the recipe's data (after the holdout). Use it when the data is not on this machine.")]
        public int? Samples { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Config) ? ValidationResult.Error("--config is required, e.g. --config configs/fashion-mnist-fast.yaml.")
            : Samples is < 1 ? ValidationResult.Error($"--samples must be at least 1; got {Samples}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var recipe = Recipe.Load(settings.Config, settings.Set);
        int samples = settings.Samples ?? CountTrainingSamples(recipe);
        var points = ScheduleTrace.Compute(recipe, samples);
        if (settings.Out is { } png) SchedulePlot.Save(points, png, $"{recipe.Schedule.Name} ({recipe.Optimizer.Name}, {Path.GetFileName(settings.Config)})");
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(points));
            return 0;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        int steps = ScheduleTrace.StepsPerEpoch(recipe, samples);
        var peak = points.MaxBy(p => p.Lr)!;
        var table = new Table().Border(TableBorder.Simple).AddColumn("key").AddColumn("value");
        table.AddRow("schedule", CliErrors.Esc($"{recipe.Schedule.Name}, optimizer {recipe.Optimizer.Name}"));
        table.AddRow("steps", recipe.Data.Curriculum is null
            ? $"{points.Count:N0} ({steps:N0} per epoch x {recipe.Training.Epochs} epochs; {samples:N0} samples, batch {recipe.Data.BatchSize}, accumulation {recipe.Training.AccumulationSteps})"
            : $"{points.Count:N0} over {recipe.Training.Epochs} epochs that grow under the curriculum ({ScheduleTrace.SamplesAt(recipe, samples, 0):N0} to {samples:N0} samples, batch {recipe.Data.BatchSize}, accumulation {recipe.Training.AccumulationSteps})");
        table.AddRow("first lr", Show(points[0].Lr));
        table.AddRow("peak lr", $"{Show(peak.Lr)} at step {peak.Step} (epoch {peak.Epoch})");
        table.AddRow("last lr", Show(points[^1].Lr));
        if (points[0].Momentum is not null)
            table.AddRow("momentum", $"{Show(points.Min(p => p.Momentum!.Value))} .. {Show(points.Max(p => p.Momentum!.Value))}");
        console.Write(table);
        if (settings.Out is not null) console.MarkupLine($"plot: {CliErrors.Esc(settings.Out)}");
        return 0;
    }

    static int CountTrainingSamples(Recipe recipe)
    {
        try
        {
            var data = DataSpec.Parse(recipe.Data.Spec).Open(new DataOpenOptions { Log = Console.Error.WriteLine });
            return RecipeBuilder.Split(recipe, data).Train.Count;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // The schedule needs only the count: say how to go on without the data.
            throw new FileNotFoundException($"{e.Message} The schedule needs only the number of training samples: give it with --samples N (e.g. --samples 50000 for CIFAR).", e);
        }
    }

    static string Show(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
