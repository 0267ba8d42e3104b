using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Runtime;
using Kindling.SelfSupervised;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Config.Runs;

/// <summary>
/// <c>kindling probe</c>: a checkpoint's encoder frozen, its features of the training split and of the validation split
/// computed once (eval transform, no augmentation) and kept in memory, then the weighted kNN and the linear probe on them;
/// and the same for the same architecture at the run's initial weights, so the numbers can be read against chance-level
/// features. A pretraining checkpoint (<see cref="IPretrainedEncoder"/>) is probed through its encoder; a classifier
/// checkpoint through its features (what its head reads).
/// </summary>
public static class EncoderProbe
{
    /// <summary>What to probe and how.</summary>
    /// <param name="Checkpoint">A checkpoint written by <c>kindling train</c>.</param>
    /// <param name="Data">Another data spec (default: the recipe's); split as the recipe splits (data.validation), without data.train_subset.</param>
    /// <param name="Method">knn, linear or both.</param>
    public sealed record Options(string Checkpoint, string? Data = null, string Method = "both")
    {
        /// <summary>k; null: the recipe's knn.k.</summary>
        public int? K { get; init; }

        /// <summary>The kNN temperature; null: the recipe's knn.temperature.</summary>
        public double? Temperature { get; init; }

        public LinearProbeOptions Linear { get; init; } = new();

        public Action<string>? Log { get; init; }
    }

    /// <summary>Runs the probe.</summary>
    /// <exception cref="InvalidDataException">The checkpoint holds no encoder (a task that is neither a pretraining task nor a classifier).</exception>
    /// <exception cref="ArgumentException">The method is not knn, linear or both, or the data has no validation split to probe on.</exception>
    public static ProbeReport Run(Options o)
    {
        if (o.Method is not ("knn" or "linear" or "both")) throw new ArgumentException($"--method must be knn, linear or both, not '{o.Method}'.");
        TorchRuntime.EnsureLoaded();
        var (recipe, task) = CheckpointTask.Load(o.Checkpoint);
        using var _ = task;
        var trained = EncoderOf(task, recipe, o.Checkpoint);
        // The run's initial weights: the task rebuilt with the recipe's seed, as the run started. Its encoder, not the
        // registry model the recipe names: a task with networks of its own (MAE's ViT) has a model section that builds nothing.
        using var initial = CheckpointTask.Initial(recipe);
        var random = EncoderOf(initial, recipe, o.Checkpoint);
        long features = task is IPretrainedEncoder p ? p.FeatureCount : ((FeatureEncoder)trained).NumFeatures;
        var architecture = DescribeEncoder(recipe, random);

        var spec = o.Data ?? recipe.Data.Spec;
        var data = DataSpec.Parse(spec).Open(recipe.Data.WithResize(new DataOpenOptions { Log = o.Log }));
        var (train, validation, _) = RecipeBuilder.Split(recipe with { Data = recipe.Data with { TrainSubset = null } }, data);
        if (validation is null) throw new ArgumentException($"{data.Name} gives no split to probe on: the recipe holds none out (data.validation.holdout 0) and the data has no test split.");
        if (train.Classes.Count != recipe.Data.Classes!.Count && o.Data is null)
            throw new InvalidDataException("the data's classes differ from the recipe's.");
        var d = recipe.Data;
        var transform = RecipeBuilder.Transform(recipe.Transforms.Eval, new ChannelStatistics(d.Mean.Values, d.Std.Values));
        int k = o.K ?? recipe.Knn.K;
        double t = o.Temperature ?? recipe.Knn.Temperature;
        var knn = new KnnClassifier(k, t);
        int classes = train.Classes.Count;
        o.Log?.Invoke($"probe: {recipe.Task} encoder ({architecture}, {features} features) on {data.Name}: {train.Count:N0} train, {validation.Count:N0} eval images");
        var scores = new List<ProbeScores>();
        foreach (var (name, encoder) in new[] { ("pretrained", trained), ("random", random) })
        {
            var loader = new DataLoaderOptions { BatchSize = d.EvalBatchSize ?? d.BatchSize, NumWorkers = d.NumWorkers, Seed = recipe.Training.Seed };
            using var trainFeatures = Extract(encoder, train, loader, transform);
            using var evalFeatures = Extract(encoder, validation, loader, transform);
            double? knnScore = null, linearScore = null;
            if (o.Method is "knn" or "both")
            {
                using var bank = trainFeatures.Normalized();
                using var queries = evalFeatures.Normalized();
                knnScore = knn.Accuracy(bank, trainFeatures.Labels, queries, evalFeatures.Labels, classes);
            }
            if (o.Method is "linear" or "both")
                linearScore = LinearProbe.Accuracy(trainFeatures, evalFeatures, classes, o.Linear with { Seed = recipe.Training.Seed });
            o.Log?.Invoke($"probe: {name} encoder done");
            scores.Add(new ProbeScores(knnScore, linearScore));
        }
        return new ProbeReport
        {
            Checkpoint = o.Checkpoint, Task = recipe.Task, Model = architecture, Data = spec, Features = features,
            TrainCount = train.Count, EvalCount = validation.Count, K = k, KnnTemperature = t, Pretrained = scores[0], Random = scores[1],
        };
    }

    static nn.Module<Tensor, Tensor> EncoderOf(TrainingTask task, Recipe recipe, string checkpoint) => task switch
    {
        IPretrainedEncoder p => p.Encoder,
        ClassificationTask c => new FeatureEncoder(c.Model),
        _ => throw new InvalidDataException($"{checkpoint} holds a {recipe.Task} model, which has no encoder to probe; expected a checkpoint of a pretraining task (simclr, moco, mae) or of a classifier."),
    };

    /// <summary>The encoder's architecture: the registry model's name, or the class of a task's own network (MAE's ViT is no registry model).</summary>
    static string DescribeEncoder(Recipe recipe, nn.Module encoder) =>
        TaskCatalog.Find(recipe.Task)!.Model == TaskModel.Own ? encoder.GetType().Name : recipe.Model.Name;

    static FrozenFeatures Extract(nn.Module<Tensor, Tensor> encoder, IImageDataset split, DataLoaderOptions options, ISampleTransform transform)
    {
        using var loader = new DataLoader(split, options, transform);
        return FrozenFeatures.Extract(encoder, loader);
    }
}
