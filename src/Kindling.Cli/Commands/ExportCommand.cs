using System.ComponentModel;
using System.Text.Json;
using Kindling.Config;
using Kindling.Export;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>`kindling export --checkpoint FILE --format pytorch --out model.pt`: a checkpoint's model in another framework's format.</summary>
sealed class ExportCommand : Command<ExportCommand.Settings>
{
    static readonly string[] Formats = ["pytorch"];

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint written by `kindling train` (or `kindling import`).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--format")]
        [Description("pytorch: a state dict for torch.load, with PyTorch's parameter names (default).")]
        public string Format { get; init; } = "pytorch";

        [CommandOption("--out")]
        [Description("The file to write (e.g. model.pt).")]
        public string Out { get; init; } = "";

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : string.IsNullOrEmpty(Out) ? ValidationResult.Error("--out FILE is required.")
            : !Formats.Contains(Format.ToLowerInvariant()) ? ValidationResult.Error($"--format '{Format}' is not known; expected one of: {string.Join(", ", Formats)}.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var (recipe, pipeline) = CheckpointModel.Load(settings.Checkpoint);
        using var model = pipeline.Model;
        var modelName = recipe.Model.Name;
        var entries = PyTorchStateDict.Save(model, modelName, settings.Out);
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                checkpoint = settings.Checkpoint, format = "pytorch", @out = settings.Out, model = modelName, classes = pipeline.Classes.Count,
                input = new[] { pipeline.InputShape.Channels, pipeline.InputShape.Height, pipeline.InputShape.Width }, entries = entries.Count,
                mean = pipeline.Normalization.Mean, std = pipeline.Normalization.Std,
            }));
            return 0;
        }
        Console.WriteLine($"wrote {settings.Out}: {entries.Count} tensors of {modelName} ({pipeline.Classes.Count} classes, input {pipeline.InputShape}) with PyTorch's names");
        Console.WriteLine($"normalize inputs with mean [{string.Join(", ", pipeline.Normalization.Mean.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}], " +
                          $"std [{string.Join(", ", pipeline.Normalization.Std.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}]");
        Console.WriteLine($"in Python: model.load_state_dict(torch.load({JsonSerializer.Serialize(settings.Out)}))");
        return 0;
    }
}
