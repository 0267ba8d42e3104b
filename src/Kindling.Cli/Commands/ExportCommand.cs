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

        [CommandOption("--no-check")]
        [Description("onnx: skip the edge-case check (the ONNX model against the checkpoint on all-black, all-white, noise and a batch of one).")]
        public bool NoCheck { get; init; }

        [CommandOption("--tolerance")]
        [Description("onnx: the largest |logit difference| the edge-case check accepts (default 1e-3).")]
        public double Tolerance { get; init; } = OnnxEdgeCaseCheck.DefaultTolerance;

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : string.IsNullOrEmpty(Out) ? ValidationResult.Error("--out FILE is required.")
            : !Formats.Contains(Format.ToLowerInvariant()) ? ValidationResult.Error($"--format '{Format}' is not known; expected one of: {string.Join(", ", Formats)}.")
            : !(Tolerance > 0) ? ValidationResult.Error($"--tolerance must be > 0; got {Tolerance}.")
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
        // Seed 004's last mistake is deploying untested on edge cases: the file just written is run in ONNX Runtime against
        // the checkpoint's model on extreme inputs before anyone ships it.
        OnnxEdgeCaseReport? check = null;
        if (format == "onnx" && !settings.NoCheck)
        {
            using var ort = OnnxRuntimeModel.FromFile(settings.Out, intraOpThreads: 1);
            check = OnnxEdgeCaseCheck.Run(model, ort, [shape.Channels, shape.Height, shape.Width],
                pipeline.Normalization.Mean, pipeline.Normalization.Std, settings.Tolerance);
        }
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                checkpoint = settings.Checkpoint, format, @out = settings.Out, model = modelName, classes = pipeline.Classes.Count,
                input = new[] { shape.Channels, shape.Height, shape.Width }, entries,
                mean = pipeline.Normalization.Mean, std = pipeline.Normalization.Std,
                edge_cases = check is null ? null : new
                {
                    tolerance = check.Tolerance, passed = check.Passed,
                    cases = check.Cases.Select(c => new { input = c.Input, batch = c.Batch, max_abs_diff = c.MaxAbsDiff, argmax_agreement = c.ArgmaxAgreement }),
                },
            }));
            return Verdict(check, settings.Out);
        }
        Console.WriteLine(format == "onnx"
            ? $"wrote {settings.Out}: {modelName} as ONNX ({entries} nodes, opset 17; input 'input' [batch,{shape.Channels},{shape.Height},{shape.Width}], output 'logits' [batch,{pipeline.Classes.Count}])"
            : $"wrote {settings.Out}: {entries} tensors of {modelName} ({pipeline.Classes.Count} classes, input {shape}) with PyTorch's names");
        Console.WriteLine($"normalize inputs with mean [{string.Join(", ", pipeline.Normalization.Mean.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}], " +
                          $"std [{string.Join(", ", pipeline.Normalization.Std.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}]");
        if (format == "pytorch") Console.WriteLine($"in Python: model.load_state_dict(torch.load({JsonSerializer.Serialize(settings.Out)}))");
        else Console.WriteLine($"the eval pipeline is stored in its metadata: `kindling eval --checkpoint {settings.Out}` and `kindling predict --checkpoint {settings.Out} IMAGE` run it with ONNX Runtime");
        if (check is not null) PrintCheck(check);
        return Verdict(check, settings.Out);
    }

    static void PrintCheck(OnnxEdgeCaseReport check)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Console.WriteLine($"edge cases: ONNX Runtime against the checkpoint (tolerance {check.Tolerance.ToString("G3", inv)})");
        Console.WriteLine($"  {"input",-14} {"batch",5}  {"max |diff|",12}  {"argmax agree",12}");
        foreach (var c in check.Cases)
            Console.WriteLine($"  {c.Input,-14} {c.Batch,5}  {c.MaxAbsDiff.ToString("0.00e+00", inv),12}  {(c.ArgmaxAgreement * 100).ToString("F0", inv) + "%",12}");
    }

    /// <summary>Exit 1 naming the inputs that failed: a model that differs on them must not ship quietly.</summary>
    static int Verdict(OnnxEdgeCaseReport? check, string path)
    {
        if (check is null || check.Passed) return 0;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Console.Error.WriteLine($"error: {path} differs from the checkpoint beyond {check.Tolerance.ToString("G3", inv)} on " +
            string.Join(", ", check.Failed.Select(c => $"{c.Input} (max |diff| {c.MaxAbsDiff.ToString("G3", inv)})")) +
            ". The file is written but its outputs are not the model's: report the model and these inputs; --tolerance sets the bound, --no-check skips the check.");
        return 1;
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
