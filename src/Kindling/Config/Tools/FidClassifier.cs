using Kindling.Config.Runs;
using Kindling.Data.Datasets;
using Kindling.Generative.Evaluation;
using Kindling.Reporting;

namespace Kindling.Config.Tools;

/// <summary>
/// The classifier FID measures features with: a checkpoint the caller names, or Kindling's own Fashion-MNIST classifier
/// (configs/fashion-mnist-fid-classifier.yaml) trained the first time it is needed and cached under
/// ~/.cache/kindling/fid (or $KINDLING_CACHE/fid).
/// </summary>
public static class FidClassifier
{
    /// <summary>The shipped recipe's file name.</summary>
    public const string RecipeFile = "fashion-mnist-fid-classifier.yaml";

    /// <summary>Where the default classifier's run folder is cached.</summary>
    public static string CacheFolder =>
        Path.Combine(Environment.GetEnvironmentVariable("KINDLING_CACHE") is { Length: > 0 } root ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "kindling"), "fid", Path.GetFileNameWithoutExtension(RecipeFile));

    /// <summary>The feature network from <paramref name="checkpoint"/>, or the cached default (trained now if missing).</summary>
    /// <param name="checkpoint">A classifier checkpoint written by <c>kindling train</c>; null: the default.</param>
    /// <param name="log">Progress lines (training the default takes minutes).</param>
    /// <exception cref="InvalidDataException">The checkpoint is not a classifier's.</exception>
    public static FeatureNetwork Load(string? checkpoint, Action<string>? log = null)
    {
        string source;
        if (checkpoint is not null)
        {
            if (!File.Exists(checkpoint)) throw new FileNotFoundException($"classifier checkpoint '{checkpoint}' not found.", checkpoint);
            source = checkpoint;
        }
        else
        {
            var folder = RunFolder.Create(CacheFolder);
            source = folder.BestCheckpoint;
            if (!File.Exists(source)) Train(folder, log);
        }
        var (recipe, pipeline) = LoadClassifier(source);
        var network = new FeatureNetwork(pipeline.Model, pipeline.Classes, pipeline.InputShape, pipeline.Normalization.Mean, pipeline.Normalization.Std,
            $"{recipe.Model.Name} classifier trained on {recipe.Data.Spec} ({source}), penultimate-layer features");
        return network;
    }

    static (Recipe, EvalPipeline) LoadClassifier(string path)
    {
        var meta = Training.TrainingCheckpoint.ReadMeta(path);
        var yaml = (string?)meta["config"] ?? throw new InvalidDataException($"{path} carries no recipe: it was not written by `kindling train`.");
        var task = Recipe.Parse(yaml, source: $"{path} (stored recipe)").Task;
        if (task != "classification")
            throw new InvalidDataException($"{path} holds a {task} model; the FID feature network must be a classifier checkpoint (e.g. one trained from configs/{RecipeFile}).");
        return CheckpointModel.Load(path);
    }

    static void Train(RunFolder folder, Action<string>? log)
    {
        var recipePath = FindRecipe() ?? throw new FileNotFoundException(
            $"the FID feature classifier is not cached ({folder.BestCheckpoint}) and its recipe configs/{RecipeFile} was not found from here; run from the Kindling checkout or pass --classifier CKPT.");
        log?.Invoke($"training the FID feature classifier from {recipePath} once (cached in {folder.Root}) ...");
        using var training = RecipeTraining.Open(Recipe.Load(recipePath), folder, open: new DataOpenOptions { Log = log });
        var result = training.Fit();
        training.Finish(result);
    }

    // configs/ in the current folder or above it, or above the program (a checkout's build output).
    static string? FindRecipe()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "configs", RecipeFile);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }
}
