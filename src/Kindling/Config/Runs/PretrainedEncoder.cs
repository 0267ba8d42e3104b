using Kindling.SelfSupervised;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Config.Runs;

/// <summary>
/// <c>model.pretrained</c>: a classifier's backbone starts from a pretraining checkpoint's encoder (fine-tuning). The encoder
/// keeps the registry's parameter names, so every one of its tensors goes to the classifier tensor of the same name; the
/// classifier's head (the names the encoder lacks) keeps its fresh initialisation.
/// </summary>
public static class PretrainedEncoder
{
    /// <summary>Loads the encoder of <c>recipe.Model.Pretrained</c> into <paramref name="classifier"/>; returns the recipe with the path made absolute.</summary>
    /// <exception cref="RecipeException">The checkpoint is missing, holds no pretrained encoder, or its encoder's architecture differs.</exception>
    public static Recipe Apply(Recipe recipe, nn.Module<Tensor, Tensor> classifier)
    {
        var given = recipe.Model.Pretrained!;
        var path = Path.GetFullPath(given);
        if (!File.Exists(path))
            throw new RecipeException("recipe", [$"model.pretrained: '{given}' does not exist; expected a checkpoint of a pretraining run (task simclr or moco), e.g. runs/NAME/checkpoints/last.ckpt."]);
        Recipe source;
        Training.Tasks.TrainingTask task;
        try
        {
            (source, task) = CheckpointTask.Load(path);
        }
        catch (InvalidDataException x)
        {
            throw new RecipeException("recipe", [$"model.pretrained: {x.Message}"]);
        }
        using (task)
        {
            if (task is not IPretrainedEncoder pretrained)
                throw new RecipeException("recipe", [$"model.pretrained: '{given}' holds a {source.Task} model, which has no pretrained encoder; expected a checkpoint of a pretraining task (simclr, moco, mae)."]);
            Load(pretrained.Encoder, classifier, $"'{given}' ({source.Model.Name})", recipe.Model.Name);
        }
        return recipe with { Model = recipe.Model with { Pretrained = path } };
    }

    /// <summary>Copies every tensor of <paramref name="encoder"/> into the tensor of the same name and shape in <paramref name="classifier"/>.</summary>
    /// <exception cref="RecipeException">A name is missing from the classifier or a shape differs: not the same architecture.</exception>
    public static void Load(nn.Module encoder, nn.Module classifier, string what, string modelName)
    {
        var target = classifier.state_dict();
        var source = encoder.state_dict();
        var missing = source.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var shapes = source.Where(kv => target.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}] vs [{string.Join(", ", target[kv.Key].shape)}]").ToList();
        if (missing.Count > 0 || shapes.Count > 0)
            throw new RecipeException("recipe", [$"model.pretrained: the encoder of {what} is not the architecture of model '{modelName}' with its options: " +
                (missing.Count > 0 ? $"{missing.Count} of its tensors have no counterpart ({string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", ..." : "")}) " : "") +
                (shapes.Count > 0 ? $"{shapes.Count} differ in shape ({string.Join("; ", shapes.Take(3))}{(shapes.Count > 3 ? "; ..." : "")})" : "") +
                "; use the pretraining recipe's model section (name and options)."]);
        using var noGrad = no_grad();
        foreach (var (name, tensor) in source) target[name].copy_(tensor);
    }
}
