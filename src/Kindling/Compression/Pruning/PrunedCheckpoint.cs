using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kindling.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Compression.Pruning;

/// <summary>
/// Writes a model-only checkpoint in the training checkpoint's format (sections <c>model</c> and <c>meta</c>,
/// atomically), so <c>kindling eval</c> and <c>predict</c> read it: the meta's <c>config</c> is the recipe that
/// rebuilds the model (for a shrunk model, with <c>model.channels</c>).
/// </summary>
public static class PrunedCheckpoint
{
    /// <summary>Saves <paramref name="model"/>'s parameters and buffers with <paramref name="recipeYaml"/> and <paramref name="pruning"/> (what was done) in the meta.</summary>
    public static void Save(string path, nn.Module model, string recipeYaml, JsonObject pruning)
    {
        var sections = new Dictionary<string, byte[]>
        {
            ["model"] = NamedTensors.ToBytes(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(model.named_buffers())),
        };
        var meta = new JsonObject
        {
            ["kind"] = "pruned",
            ["config"] = recipeYaml,
            ["pruning"] = pruning,
            ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(3),
            ["created"] = DateTime.UtcNow.ToString("O"),
        };
        sections["meta"] = Encoding.UTF8.GetBytes(meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        CheckpointFile.Write(path, sections);
    }
}
