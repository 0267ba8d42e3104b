using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Models;
using Kindling.SelfSupervised;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Config.Runs;

/// <summary>How the catalog builds the pretraining tasks (simclr, moco) from a run's pieces, and their kNN monitor.</summary>
static class SelfSupervisedParts
{
    public static TrainingTask SimClr(TaskParts p)
    {
        RequireViews(p);
        var encoder = p.RequireModel();
        return new SimClrTask(encoder, Features(encoder), p.Recipe.Simclr, Monitor(p));
    }

    public static TrainingTask Moco(TaskParts p)
    {
        RequireViews(p);
        CheckMocoBatches(p);
        var encoder = p.RequireModel();
        // The key encoder: the same registry model a second time (its weights are then copied from the query's).
        var key = RecipeBuilder.CreateModel(p.Recipe);
        try
        {
            return new MocoTask(encoder, key, Features(encoder), p.Recipe.Moco, Monitor(p), p.Recipe.Training.Seed);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    // The step's own checks, made before any data is read so a recipe gets recipe errors (section.key: message).
    static void RequireViews(TaskParts p)
    {
        if (p.Recipe.Transforms.Views < 2)
            throw new RecipeException("recipe", [$"transforms.views: {p.Recipe.Task} learns from two augmented views of every image; set transforms.views: 2."]);
    }

    static void CheckMocoBatches(TaskParts p)
    {
        var m = p.Recipe.Moco;
        var d = p.Recipe.Data;
        var errors = new List<string>();
        int keys = m.Symmetric ? 2 * d.BatchSize : d.BatchSize;
        if (keys > m.Queue)
            errors.Add($"moco.queue: {m.Queue} keys do not hold one step's {keys} keys (data.batch_size {d.BatchSize}{(m.Symmetric ? ", both views with symmetric" : "")}); the queue must be at least that (MoCo's CIFAR-10 demo: 4096).");
        int groups = m.ShuffleBnGroups;
        if (groups > 1 && (d.BatchSize % groups != 0 || d.BatchSize / groups < 2))
            errors.Add($"moco.shuffle_bn_groups: data.batch_size {d.BatchSize} does not split into {groups} equal groups of at least 2; use a batch size that is a multiple of {groups} (at least {2 * groups}) or change shuffle_bn_groups.");
        else if (groups > 1 && !d.DropLast && p.Train is { } train && train.Count % d.BatchSize is var last and > 0 && (last % groups != 0 || last / groups < 2))
            errors.Add($"data.drop_last: the last batch of each epoch holds {last} images ({train.Count} / {d.BatchSize}), which do not split into {groups} shuffle-BN groups; set drop_last: true.");
        if (errors.Count > 0) throw new RecipeException("recipe", errors);
    }

    static long Features(nn.Module<Tensor, Tensor> encoder) => encoder is IFeatureModel f ? f.NumFeatures
        : throw new InvalidOperationException($"the encoder {encoder.GetType().Name} does not report its feature width (IFeatureModel).");

    // The memory bank is the training split read with the eval transform (no augmentation); none when the task is rebuilt
    // from a checkpoint (no data) or the recipe turns the monitor off.
    static KnnMonitor? Monitor(TaskParts p)
    {
        var knn = p.Recipe.Knn;
        if (p.Train is not { } train || knn.Every == 0 || p.Recipe.Data.Mean.IsAuto || p.Recipe.Data.Std.IsAuto) return null;
        var d = p.Recipe.Data;
        var transform = RecipeBuilder.Transform(p.Recipe.Transforms.Eval, new ChannelStatistics(d.Mean.Values, d.Std.Values));
        var options = new DataLoaderOptions
        {
            BatchSize = d.EvalBatchSize ?? d.BatchSize,
            NumWorkers = d.NumWorkers,
            PrefetchFactor = d.PrefetchFactor,
            Seed = p.Recipe.Training.Seed,
        };
        return new KnnMonitor(() => Pass(train, options, transform), p.Classes.Count, knn.Every, p.Recipe.Training.Epochs, new KnnClassifier(knn.K, knn.Temperature));
    }

    static IEnumerable<Batch> Pass(IImageDataset data, DataLoaderOptions options, Data.Transforms.ISampleTransform transform)
    {
        using var loader = new DataLoader(data, options, transform);
        foreach (var batch in loader) yield return batch;
    }
}
