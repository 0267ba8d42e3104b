using System.ComponentModel;
using System.Text.Json;
using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Export;
using Kindling.Runtime;
using Kindling.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling import --model NAME --weights model.pt --data SPEC --out model.ckpt`: PyTorch weights (a state dict saved with
/// torch.save) loaded into the registry model and written as a Kindling checkpoint with the recipe that rebuilds it, so
/// eval, predict, export and distill read it. The classes and normalization come from the data (or a recipe), or from
/// --classes and data.mean/data.std when the data is not at hand.
/// </summary>
sealed class ImportCommand : Command<ImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--weights")]
        [Description("A PyTorch state dict file (torch.save(model.state_dict(), path)).")]
        public string Weights { get; init; } = "";

        [CommandOption("--model")]
        [Description("The registry model the weights fit (default: the recipe's model.name).")]
        public string? Model { get; init; }

        [CommandOption("--config")]
        [Description("A recipe for the model and data options (default: the built-in defaults).")]
        public string? Config { get; init; }

        [CommandOption("--set")]
        [Description("Override a recipe key: --set model.width_multiplier=0.5 (repeatable).")]
        public string[] Set { get; init; } = Array.Empty<string>();

        [CommandOption("--data")]
        [Description("The data the model classifies: its classes, shape and (unless data.mean/std are set) normalization statistics.")]
        public string? Data { get; init; }

        [CommandOption("--classes")]
        [Description("Without data: the number of classes (named 0..N-1); with data: checked against it.")]
        public int? Classes { get; init; }

        [CommandOption("--input")]
        [Description("Without data: the input shape CxHxW (e.g. 3x224x224).")]
        public string? Input { get; init; }

        [CommandOption("--out")]
        [Description("The Kindling checkpoint to write.")]
        public string Out { get; init; } = "";

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Weights) ? ValidationResult.Error("--weights FILE is required.")
            : string.IsNullOrEmpty(Out) ? ValidationResult.Error("--out FILE is required.")
            : Classes is < 1 ? ValidationResult.Error($"--classes must be at least 1, not {Classes}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        // --model and --data go in first, so the --set keys are checked against the model and data they go with.
        var overrides = new List<string>();
        if (settings.Model is not null) overrides.Add($"model.name={JsonSerializer.Serialize(settings.Model)}");
        if (settings.Data is not null) overrides.Add($"data.spec={JsonSerializer.Serialize(settings.Data)}");
        overrides.AddRange(settings.Set);
        var recipe = settings.Config is not null ? Recipe.Load(settings.Config, overrides) : Recipe.Parse("", overrides, "--set");
        var resolved = settings.Data is null && settings.Config is null && settings.Classes is not null ? WithoutData(recipe, settings) : WithData(recipe, settings);

        using var model = RecipeBuilder.CreateModel(resolved);
        PyTorchStateDict.Load(model, resolved.Model.Name, settings.Weights);
        TrainingCheckpoint.SaveModel(settings.Out, model, resolved.ToYaml(), "imported");
        Console.WriteLine($"wrote {settings.Out}: {resolved.Model.Name} ({resolved.Data.Classes!.Count} classes, input {resolved.Model.InChannels}x{resolved.Model.InputSize}x{resolved.Model.InputSize}) " +
                          $"with the weights of {settings.Weights}; evaluate it with: kindling eval --checkpoint {settings.Out}");
        return 0;
    }

    static Recipe WithData(Recipe recipe, Settings settings)
    {
        var data = DataSpec.Parse(recipe.Data.Spec).Open(new DataOpenOptions { Log = line => Console.Error.WriteLine(line) });
        if (settings.Classes is int n && n != data.Classes.Count)
            throw new ArgumentException($"--classes {n} but {data.Name} has {data.Classes.Count} classes.");
        var (train, _, _) = RecipeBuilder.Split(recipe, data);
        return RecipeBuilder.Resolve(recipe, data, RecipeBuilder.Normalization(recipe, train));
    }

    static Recipe WithoutData(Recipe recipe, Settings settings)
    {
        if (recipe.Data.Mean.IsAuto || recipe.Data.Std.IsAuto)
            throw new ArgumentException("without --data, give the normalization the weights were trained with, e.g. --set data.mean=[0.485,0.456,0.406] --set data.std=[0.229,0.224,0.225] (ImageNet's).");
        var shape = settings.Input ?? throw new ArgumentException("without --data, give the input shape: --input CxHxW (e.g. 3x224x224).");
        var parts = shape.Split('x');
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, out var v) && v > 0) || parts[1] != parts[2])
            throw new ArgumentException($"--input '{shape}' is not CxHxW with a square side, e.g. 3x224x224.");
        int n = settings.Classes!.Value;
        return recipe with
        {
            Data = recipe.Data with { Classes = Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() },
            Model = recipe.Model with { NumClasses = n, InChannels = int.Parse(parts[0]), InputSize = int.Parse(parts[1]) },
        };
    }
}
