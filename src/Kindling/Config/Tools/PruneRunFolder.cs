using System.Text.Json;
using System.Text.Json.Nodes;
using Kindling.Compression.Pruning;
using Kindling.Reporting;

namespace Kindling.Config.Tools;

/// <summary>
/// What <c>kindling prune</c> leaves in its run folder: config.yaml (the recipe that rebuilds the pruned model),
/// checkpoints/pruned.ckpt (read by <c>kindling eval</c>), sparsity.txt and sparsity.json (per layer and global,
/// with the masks applied), summary.json (accuracy before, after each prune and fine-tune, final; parameters and
/// widths before and after). Every file is written atomically.
/// </summary>
public static class PruneRunFolder
{
    /// <summary>The pruned checkpoint's path in <paramref name="folder"/>.</summary>
    public static string CheckpointPath(RunFolder folder) => Path.Combine(folder.CheckpointsDir, "pruned.ckpt");

    /// <summary>Writes the folder for <paramref name="model"/> pruned from <paramref name="source"/> with <paramref name="recipe"/> (the run's resolved recipe).</summary>
    public static Recipe Write(RunFolder folder, TorchSharp.torch.nn.Module model, Recipe recipe, string source, PruneOptions options, PruneResult result)
    {
        var final = options.Structured ? recipe with { Model = recipe.Model with { Channels = result.WidthsAfter } } : recipe;
        string yaml = final.ToYaml();
        folder.WriteConfig(yaml);
        var summary = new JsonObject
        {
            ["source_checkpoint"] = source,
            ["method"] = options.Structured ? $"ln_structured n={options.N} dim=0, channels removed" : options.Global ? "global l1_unstructured" : "l1_unstructured per layer",
            ["amount"] = options.Amount,
            ["iterative_steps"] = options.IterativeSteps,
            ["finetune_epochs_per_step"] = options.FinetuneEpochs,
            ["finetune_samples"] = options.FinetuneSamples,
            ["accuracy_before"] = result.AccuracyBefore,
            ["steps"] = JsonSerializer.SerializeToNode(result.Steps, RunJson.Document),
            ["accuracy_final"] = result.AccuracyFinal,
            ["global_sparsity"] = result.Sparsity.Global,
            ["parameters_before"] = result.ParametersBefore,
            ["parameters_after"] = result.ParametersAfter,
            ["channels_before"] = JsonSerializer.SerializeToNode(result.WidthsBefore),
            ["channels_after"] = JsonSerializer.SerializeToNode(result.WidthsAfter),
        };
        Directory.CreateDirectory(folder.CheckpointsDir);
        PrunedCheckpoint.Save(CheckpointPath(folder), model, yaml, summary);
        RunJson.WriteAtomic(Path.Combine(folder.Root, "sparsity.txt"), result.Sparsity.ToString());
        RunJson.WriteAtomic(Path.Combine(folder.Root, "sparsity.json"), JsonSerializer.Serialize(new
        {
            global = result.Sparsity.Global,
            layers = result.Sparsity.Layers.Select(l => new { name = l.Name, shape = l.Shape, parameters = l.Parameters, zeros = l.Zeros, sparsity = l.Sparsity }),
        }, RunJson.Document));
        RunJson.WriteAtomic(folder.SummaryPath, summary.ToJsonString(RunJson.Document));
        return final;
    }
}
