using Kindling.Data.BatchMix;
using Kindling.Data.Datasets;
using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;

namespace Kindling.Config.Runs;

/// <summary>
/// A recipe made into the objects a run uses. <see cref="Recipe"/> is the resolved recipe (auto
/// mean/std, classes and the model's shape filled in): store it with the run and the checkpoint,
/// and <see cref="RecipeBuilder.BuildEval(Config.Recipe)"/> rebuilds the eval side from it alone.
/// Disposing releases the loaders' workers and the model.
/// </summary>
public sealed class RecipeRun : IDisposable
{
    internal RecipeRun(Recipe recipe, DataSplits data, IImageDataset train, IImageDataset? validation, IImageDataset? test,
        DataLoader trainLoader, DataLoader? validationLoader, DataLoader? testLoader, torch.nn.Module<torch.Tensor, torch.Tensor> model,
        ISampleTransform trainTransform, ISampleTransform evalTransform, ChannelStatistics normalization, Distiller? teacher = null)
    {
        Recipe = recipe;
        Data = data;
        TrainSet = train;
        ValidationSet = validation;
        TestSet = test;
        TrainLoader = trainLoader;
        ValidationLoader = validationLoader;
        TestLoader = testLoader;
        Model = model;
        TrainTransform = trainTransform;
        EvalTransform = evalTransform;
        Normalization = normalization;
        Teacher = teacher;
        TrainerOptions = recipe.ToTrainerOptions();
        Task = (TaskCatalog.Find(recipe.Task) ?? throw new RecipeException("recipe", ["task: " + TaskCatalog.Unknown(recipe.Task)]))
            .Create(new TaskParts(recipe, model, data.Classes, teacher, TrainerOptions));
    }

    /// <summary>The resolved recipe.</summary>
    public Recipe Recipe { get; }

    /// <summary>The data set as opened (all of its training split, its test split).</summary>
    public DataSplits Data { get; }

    /// <summary>Class names by label.</summary>
    public IReadOnlyList<string> Classes => Data.Classes;

    /// <summary>What is trained on: the training split less the holdout.</summary>
    public IImageDataset TrainSet { get; }

    /// <summary>The holdout, or the test split when the recipe holds nothing out; null when neither exists.</summary>
    public IImageDataset? ValidationSet { get; }

    /// <summary>The test split, when the data set has one.</summary>
    public IImageDataset? TestSet { get; }

    /// <summary>Whether validation runs on the test split (no holdout): then test metrics are the validation metrics.</summary>
    public bool ValidatesOnTest => ValidationSet is not null && ReferenceEquals(ValidationSet, TestSet);

    /// <summary>Shuffled, augmented training batches.</summary>
    public DataLoader TrainLoader { get; }

    /// <summary>Validation batches with the eval transform; null without a validation set.</summary>
    public DataLoader? ValidationLoader { get; }

    /// <summary>Test batches with the eval transform (the same loader as <see cref="ValidationLoader"/> when <see cref="ValidatesOnTest"/>); null without a test split.</summary>
    public DataLoader? TestLoader { get; }

    /// <summary>The freshly initialised model (seeded by training.seed).</summary>
    public torch.nn.Module<torch.Tensor, torch.Tensor> Model { get; }

    /// <summary>The frozen distillation teacher when the recipe names one, checked against the student; null otherwise.</summary>
    public Distiller? Teacher { get; }

    /// <summary>What the recipe trains (its <c>task</c>): a classifier, or the student of <see cref="Teacher"/>; the run owns its modules.</summary>
    public TrainingTask Task { get; }

    /// <summary>The trainer's options, carrying the resolved recipe as config text and the batch mixing.</summary>
    public TrainerOptions TrainerOptions { get; }

    /// <summary>The batch mixing, or null.</summary>
    public IBatchMix? BatchMix => TrainerOptions.BatchMix;

    /// <summary>The training transform (augmentation, then to_tensor and normalize).</summary>
    public ISampleTransform TrainTransform { get; }

    /// <summary>The eval transform.</summary>
    public ISampleTransform EvalTransform { get; }

    /// <summary>Normalize's mean and std.</summary>
    public ChannelStatistics Normalization { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        TrainLoader.Dispose();
        ValidationLoader?.Dispose();
        if (!ReferenceEquals(TestLoader, ValidationLoader)) TestLoader?.Dispose();
        Model.Dispose();
        Teacher?.Dispose();
    }
}
