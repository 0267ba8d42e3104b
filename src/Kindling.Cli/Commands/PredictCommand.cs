using System.ComponentModel;
using System.Text.Json;
using Kindling.Config;
using Kindling.Data.Datasets;
using Kindling.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Cli.Commands;

/// <summary>
/// `kindling predict --checkpoint FILE IMAGE|FOLDER...`: top-k classes per picture, resized and normalized as in training.
/// A picture that cannot be read is reported and the others are still predicted; the exit code is 1 if any failed.
/// </summary>
sealed class PredictCommand : Command<PredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint")]
        [Description("A checkpoint written by `kindling train`, or an .onnx model from `kindling export --format onnx` or `kindling quantize` (float or INT8), run with ONNX Runtime.")]
        public string Checkpoint { get; init; } = "";

        [CommandArgument(0, "<IMAGE>")]
        [Description("PNG, JPEG, BMP or WebP pictures, or folders of them (every picture at any depth).")]
        public string[] Images { get; init; } = Array.Empty<string>();

        [CommandOption("--top-k")]
        [Description("Classes to show per picture (default 5).")]
        public int TopK { get; init; } = 5;

        [CommandOption("--json")]
        [Description("Print one JSON array.")]
        public bool Json { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrEmpty(Checkpoint) ? ValidationResult.Error("--checkpoint FILE is required.")
            : TopK < 1 ? ValidationResult.Error($"--top-k must be >= 1 (got {TopK}).")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        TorchRuntime.EnsureLoaded();
        var (_, pipeline) = OnnxEvalMetadata.IsOnnx(settings.Checkpoint) ? OnnxEvalMetadata.Load(settings.Checkpoint) : CheckpointModel.Load(settings.Checkpoint);
        var model = pipeline.Model;
        model.eval();
        var shape = pipeline.InputShape;
        int k = Math.Min(settings.TopK, pipeline.Classes.Count);
        var results = new List<object>();
        int failed = 0;
        foreach (var path in Pictures(settings.Images))
        {
            using var scope = NewDisposeScope();
            using var _ = inference_mode();
            byte[] hwc;
            try
            {
                hwc = ImageFolder.ReadPicture(path, shape);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // One unreadable file (a truncated download, a stray text file) must not cost the predictions of the rest.
                failed++;
                Console.Error.WriteLine($"error: {path}: {e.Message}");
                results.Add(new { image = path, error = e.Message });
                continue;
            }
            var image = tensor(hwc, new long[] { shape.Height, shape.Width, shape.Channels }, uint8).permute(2, 0, 1).contiguous();
            // Eval transforms are deterministic; the generator is only there because the interface takes one.
            var input = pipeline.Transform.Apply(image, new Random(0)).unsqueeze(0);
            var probabilities = nn.functional.softmax(model.call(input).to(float32), 1)[0];
            var (values, indices) = probabilities.topk(k);
            var top = Enumerable.Range(0, k).Select(i => (Class: pipeline.Classes[(int)indices[i].item<long>()], Probability: (double)values[i].item<float>())).ToList();
            results.Add(new { image = path, top = top.Select(t => new { @class = t.Class, probability = t.Probability }) });
            if (!settings.Json)
                Console.WriteLine($"{path}: " + string.Join(", ", top.Select(t => $"{t.Class} {t.Probability:P1}")));
        }
        if (settings.Json) Console.WriteLine(CliJson.Serialize(results));
        if (failed > 0) Console.Error.WriteLine($"{failed} of {results.Count} pictures could not be read.");
        return failed > 0 ? CliErrors.Failure : 0;
    }

    // Files as given; a folder stands for its pictures at any depth, in ordinal order so runs list them alike.
    static IEnumerable<string> Pictures(IEnumerable<string> arguments)
    {
        foreach (var argument in arguments)
        {
            if (!Directory.Exists(argument))
            {
                yield return argument;
                continue;
            }
            var pictures = Directory.EnumerateFiles(argument, "*", SearchOption.AllDirectories).Where(ImageFolder.IsImageFile)
                .Order(StringComparer.Ordinal).ToList();
            if (pictures.Count == 0) throw new InvalidDataException($"{argument} holds no pictures (.png, .jpg, .jpeg, .bmp, .webp) at any depth.");
            foreach (var picture in pictures) yield return picture;
        }
    }
}
