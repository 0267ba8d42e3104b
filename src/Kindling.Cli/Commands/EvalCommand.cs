using System.ComponentModel;
using System.Text.Json;
using Kindling.Config;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Runtime;
using Kindling.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling eval --checkpoint FILE [--data SPEC] [--split test|train] [--json]`: the metrics of a checkpoint on a split. FILE may
/// also be an .onnx model carrying Kindling's eval metadata (<see cref="OnnxEvalMetadata"/>), run with ONNX Runtime.
/// </summary>
sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint written by `kindling train` (best.ckpt or last.ckpt), or an .onnx model from `kindling export --format onnx` or `kindling quantize` (float or INT8), run with ONNX Runtime.")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("--data")]
        [Description("Data spec to evaluate on (default: the recipe's).")]
        public string? Data { get; init; }

        [CommandOption("--split")]
        [Description("test or train (default: test; with --data, a data set without a test split, such as a folder of class folders, is evaluated whole).")]
        public string? Split { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }

        [CommandOption("--fuse")]
        [Description("Fold each BatchNorm into the convolution before it (inference only) and evaluate the fused model.")]
        public bool Fuse { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : Fuse && OnnxEvalMetadata.IsOnnx(Checkpoint) ? ValidationResult.Error("--fuse folds a checkpoint's BatchNorms; an .onnx model is run as exported (ONNX Runtime fuses them itself).")
            : Split is not (null or "test" or "train") ? ValidationResult.Error($"--split must be test or train, not '{Split}'.")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var (recipe, pipeline) = OnnxEvalMetadata.IsOnnx(settings.Checkpoint) ? OnnxEvalMetadata.Load(settings.Checkpoint) : CheckpointModel.Load(settings.Checkpoint);
        var spec = settings.Data ?? recipe.Data.Spec;
        var data = DataSpec.Parse(spec).Open(recipe.Data.WithResize(new DataOpenOptions { Log = line => Console.Error.WriteLine(line) }));
        // A folder given to eval (a held-out set of class folders) is the data to evaluate: without a test split it is used whole.
        var splitName = settings.Split ?? (data.Test is null && settings.Data is not null ? "train" : "test");
        if (settings.Split is null && splitName == "train")
            Console.Error.WriteLine($"{data.Name} has no test split: evaluating all its {data.Train.Count:N0} images.");
        var split = splitName == "train" ? data.Train
            : data.Test ?? throw new ArgumentException($"{data.Name} has no test split; use --split train or another --data.");
        if (split.Classes.Count != pipeline.Classes.Count)
            throw new ArgumentException($"{data.Name} has {split.Classes.Count} classes but the checkpoint's model predicts {pipeline.Classes.Count}.");
        // Labels are positions: the same count under other names (or another order) would score the model against the
        // wrong classes and print plausible, meaningless numbers.
        if (!split.Classes.SequenceEqual(pipeline.Classes))
        {
            var differ = Enumerable.Range(0, split.Classes.Count).Where(i => split.Classes[i] != pipeline.Classes[i]).Take(5)
                .Select(i => $"label {i} is '{split.Classes[i]}' in the data but '{pipeline.Classes[i]}' in the checkpoint");
            throw new ArgumentException($"{data.Name}'s classes are not the checkpoint's: {string.Join("; ", differ)}. " +
                                        "Evaluate on data with the classes the model was trained on (same names, same order).");
        }
        if (split.Shape != pipeline.InputShape)
            throw new ArgumentException($"{data.Name} images are {split.Shape} but the model takes {pipeline.InputShape}.");
        if (settings.Fuse)
        {
            pipeline.Model.eval();
            var plan = Compression.Fusion.ModelFusion.Plan(pipeline.Model, new long[] { pipeline.InputShape.Channels, pipeline.InputShape.Height, pipeline.InputShape.Width });
            Compression.Fusion.ModelFusion.Fuse(pipeline.Model, plan);
            Console.Error.WriteLine($"fused: {plan.Pairs.Count} BatchNorms folded into their convolutions, {plan.Unfolded.Count} left");
        }
        using var loader = new DataLoader(split, new DataLoaderOptions { BatchSize = 256, NumWorkers = 1 }, pipeline.Transform);
        var result = Evaluator.Evaluate(pipeline.Model, loader, pipeline.Classes.Count, Devices.Resolve(recipe.Training.Device), recipe.Training.TopK);
        if (settings.Json)
        {
            Console.WriteLine(CliJson.Serialize(new
            {
                checkpoint = settings.Checkpoint, data = data.Name, split = splitName, samples = result.Samples,
                accuracy = result.Accuracy, loss = result.Loss, top_k = result.TopK, k = result.K, macro_f1 = result.Report.Macro.F1,
                weighted_f1 = result.Report.Weighted.F1, ece = result.CalibrationError,
                per_class = pipeline.Classes.Select((c, i) => new { @class = c, precision = result.Report.PerClass[i].Precision, recall = result.Report.PerClass[i].Recall, f1 = result.Report.PerClass[i].F1, support = result.Report.PerClass[i].Support }),
            }));
            return 0;
        }
        Console.WriteLine($"{data.Name} ({splitName}, {result.Samples:N0} images): accuracy {result.Accuracy:P2}, top-{result.K} {result.TopK:P2}, loss {result.Loss:F4}, macro F1 {result.Report.Macro.F1:F4}, ECE {result.CalibrationError:F4}");
        var table = new Table().AddColumns("class", "precision", "recall", "F1", "support");
        for (int i = 0; i < pipeline.Classes.Count; i++)
        {
            var m = result.Report.PerClass[i];
            table.AddRow(Markup.Escape(pipeline.Classes[i]), $"{m.Precision:F4}", $"{m.Recall:F4}", $"{m.F1:F4}", $"{m.Support}");
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
