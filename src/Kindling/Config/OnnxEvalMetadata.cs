using System.Globalization;
using System.Text.Json;
using Kindling.Config.Runs;
using Kindling.Export.Onnx;

namespace Kindling.Config;

/// <summary>
/// The eval pipeline an exported ONNX model needs, stored in its metadata_props so it travels inside the file:
/// the resolved recipe (from which eval and predict rebuild the eval transform exactly as for a checkpoint), and,
/// for readers outside Kindling, the class names, Normalize's mean and std and the input shape as plain values.
/// </summary>
public static class OnnxEvalMetadata
{
    /// <summary>The resolved recipe (YAML): what eval and predict read.</summary>
    public const string RecipeKey = "kindling.recipe";

    /// <summary>Class names by label, a JSON array.</summary>
    public const string ClassesKey = "kindling.classes";

    /// <summary>Normalize's per-channel mean, a JSON array (applied to pixels scaled to [0, 1]).</summary>
    public const string MeanKey = "kindling.mean";

    /// <summary>Normalize's per-channel std, a JSON array.</summary>
    public const string StdKey = "kindling.std";

    /// <summary>The input the model takes, "C,H,W" (the batch axis is free).</summary>
    public const string InputShapeKey = "kindling.input_shape";

    /// <summary>Stores <paramref name="recipe"/>'s eval pipeline in <paramref name="model"/>'s metadata.</summary>
    /// <param name="model">An exported (or quantized) model, before it is saved.</param>
    /// <param name="recipe">The resolved recipe the model was trained with (mean, std, classes and input size filled in).</param>
    /// <exception cref="ArgumentException">The recipe is not resolved.</exception>
    public static void Write(OnnxModel model, Recipe recipe)
    {
        var d = recipe.Data;
        var m = recipe.Model;
        if (d.Mean.IsAuto || d.Std.IsAuto || d.Classes is null || m.InChannels is null || m.InputSize is null)
            throw new ArgumentException("the recipe is not resolved (data.mean, data.std, data.classes, model.in_channels and model.input_size must be set): use the recipe a run stored.");
        model.Metadata[RecipeKey] = recipe.ToYaml();
        model.Metadata[ClassesKey] = JsonSerializer.Serialize(d.Classes);
        model.Metadata[MeanKey] = JsonSerializer.Serialize(d.Mean.Values);
        model.Metadata[StdKey] = JsonSerializer.Serialize(d.Std.Values);
        model.Metadata[InputShapeKey] = string.Create(CultureInfo.InvariantCulture, $"{m.InChannels},{m.InputSize},{m.InputSize}");
    }

    /// <summary>
    /// An ONNX model file as eval and predict use a checkpoint: the recipe stored in it, and its eval pipeline with
    /// the model run by ONNX Runtime (<see cref="OnnxRuntimeModule"/>).
    /// </summary>
    /// <param name="path">A .onnx file written by `kindling export --format onnx` or `kindling quantize`.</param>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or carries no Kindling eval metadata.</exception>
    public static (Recipe Recipe, EvalPipeline Pipeline) Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        OnnxModel onnx;
        try
        {
            onnx = Export.Onnx.Proto.OnnxProtoReader.Read(bytes);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path} is not an ONNX model: {e.Message}", e);
        }
        if (!onnx.Metadata.TryGetValue(RecipeKey, out var yaml))
            throw new InvalidDataException(
                $"{path} carries no Kindling eval metadata (the '{RecipeKey}' entry of its metadata_props: eval transform, mean/std, classes, input shape), " +
                "so its images cannot be preprocessed as in training. Re-export it from its checkpoint with " +
                "`kindling export --checkpoint FILE.ckpt --format onnx --out MODEL.onnx` (or `kindling quantize` for INT8), which stores them.");
        var recipe = Recipe.Parse(yaml, source: $"{path} ({RecipeKey})");
        var pipeline = RecipeBuilder.BuildEval(recipe);
        // The recipe's network is only a by-product of building the pipeline: ONNX Runtime runs the file instead.
        pipeline.Model.Dispose();
        return (recipe, pipeline with { Model = new OnnxRuntimeModule(bytes) });
    }

    /// <summary>Whether <paramref name="path"/> names an ONNX model (by its extension) rather than a checkpoint.</summary>
    public static bool IsOnnx(string path) => string.Equals(Path.GetExtension(path), ".onnx", StringComparison.OrdinalIgnoreCase);
}
