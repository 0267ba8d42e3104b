using System.ComponentModel;
using System.Text.Json;
using Kindling.Config;
using Kindling.Export;
using Kindling.Export.Onnx;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling export --checkpoint FILE --format pytorch|onnx --out FILE`: a checkpoint's model for another framework: a PyTorch
/// state dict with PyTorch's names (<see cref="PyTorchStateDict"/>), or an ONNX graph (<see cref="OnnxExporter"/>).
/// </summary>
sealed class ExportCommand : Command<ExportCommand.Settings>
{
    static readonly string[] Formats = ["pytorch", "onnx"];

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint written by `kindling train` (or `kindling import`).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--format")]
        [Description("pytorch: a state dict for torch.load, with PyTorch's parameter names (default); onnx: an ONNX model (opset 17, dynamic batch).")]
        public string Format { get; init; } = "pytorch";

        [CommandOption("--out")]
        [Description("The file to write (e.g. model.pt or model.onnx).")]
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
        var format = settings.Format.ToLowerInvariant();
        var shape = pipeline.InputShape;
        int entries = format == "onnx" ? ExportOnnx(model, recipe, shape, settings.Out) : PyTorchStateDict.Save(model, modelName, settings.Out).Count;
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                checkpoint = settings.Checkpoint, format, @out = settings.Out, model = modelName, classes = pipeline.Classes.Count,
                input = new[] { shape.Channels, shape.Height, shape.Width }, entries,
                mean = pipeline.Normalization.Mean, std = pipeline.Normalization.Std,
            }));
            return 0;
        }
        Console.WriteLine(format == "onnx"
            ? $"wrote {settings.Out}: {modelName} as ONNX ({entries} nodes, opset 17; input 'input' [batch,{shape.Channels},{shape.Height},{shape.Width}], output 'logits' [batch,{pipeline.Classes.Count}])"
            : $"wrote {settings.Out}: {entries} tensors of {modelName} ({pipeline.Classes.Count} classes, input {shape}) with PyTorch's names");
        Console.WriteLine($"normalize inputs with mean [{string.Join(", ", pipeline.Normalization.Mean.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}], " +
                          $"std [{string.Join(", ", pipeline.Normalization.Std.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}]");
        if (format == "pytorch") Console.WriteLine($"in Python: model.load_state_dict(torch.load({JsonSerializer.Serialize(settings.Out)}))");
        else Console.WriteLine($"the eval pipeline is stored in its metadata: `kindling eval --checkpoint {settings.Out}` and `kindling predict --checkpoint {settings.Out} IMAGE` run it with ONNX Runtime");
        return 0;
    }

    // The eval pipeline goes into the file's metadata so eval and predict can run the model without its checkpoint.
    static int ExportOnnx(torch.nn.Module<torch.Tensor, torch.Tensor> model, Recipe recipe, Data.Datasets.ImageShape shape, string path)
    {
        var onnx = OnnxExporter.ToModel(model, [shape.Channels, shape.Height, shape.Width]);
        OnnxEvalMetadata.Write(onnx, recipe);
        onnx.Save(path);
        return onnx.Graph.Nodes.Count;
    }
}
