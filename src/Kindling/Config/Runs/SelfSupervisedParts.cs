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
        var encoder = p.RequireModel();
        return new SimClrTask(encoder, Features(encoder), p.Recipe.Simclr.ToOptions(), Monitor(p));
    }

    public static TrainingTask Moco(TaskParts p)
    {
        var encoder = p.RequireModel();
        // The key encoder: the same registry model a second time (its weights are then copied from the query's).
        var key = RecipeBuilder.CreateModel(p.Recipe);
        try
        {
            return new MocoTask(encoder, key, Features(encoder), p.Recipe.Moco.ToOptions(), Monitor(p), p.Recipe.Training.Seed);
        }
        catch
        {
            key.Dispose();
            throw;
        }
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
