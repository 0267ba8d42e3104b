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
    // Built by RecipeBuilder.Build, which sets every part (object initializer: a run has too many parts for a constructor).
    internal RecipeRun() { }

    /// <summary>The resolved recipe.</summary>
    public Recipe Recipe { get; internal init; } = null!;

    /// <summary>The data set as opened (all of its training split, its test split).</summary>
    public DataSplits Data { get; internal init; } = null!;

    /// <summary>Class names by label.</summary>
    public IReadOnlyList<string> Classes => Data.Classes;

    /// <summary>What is trained on: the training split less the holdout.</summary>
    public IImageDataset TrainSet { get; internal init; } = null!;

    /// <summary>The holdout, or the test split when the recipe holds nothing out; null when neither exists.</summary>
    public IImageDataset? ValidationSet { get; internal init; }

    /// <summary>The test split, when the data set has one.</summary>
    public IImageDataset? TestSet { get; internal init; }

    /// <summary>Whether validation runs on the test split (no holdout): then test metrics are the validation metrics.</summary>
    public bool ValidatesOnTest => ValidationSet is not null && ReferenceEquals(ValidationSet, TestSet);

    /// <summary>Shuffled, augmented training batches.</summary>
    public DataLoader TrainLoader { get; internal init; } = null!;

    /// <summary>Validation batches with the eval transform; null without a validation set.</summary>
    public DataLoader? ValidationLoader { get; internal init; }

    /// <summary>Test batches with the eval transform (the same loader as <see cref="ValidationLoader"/> when <see cref="ValidatesOnTest"/>); null without a test split.</summary>
    public DataLoader? TestLoader { get; internal init; }

    /// <summary>
    /// The freshly initialised registry model (seeded by training.seed): the classifier, or the headless encoder of an encoder
    /// task; null for a task that builds its own networks (<see cref="TaskModel.Own"/>: see <see cref="Task"/>'s modules).
    /// </summary>
    public torch.nn.Module<torch.Tensor, torch.Tensor>? Model { get; internal init; }

    /// <summary>The classifier, for the tools that work on one (prune, quantize, the doctor's model checks); a clear error for any other task.</summary>
    /// <param name="tool">What needs it, for the message ("prune").</param>
    public torch.nn.Module<torch.Tensor, torch.Tensor> Classifier(string tool) =>
        Task is ClassificationTask && Model is { } model ? model
        : throw new RecipeException("recipe", [$"task: {Recipe.Task}: {tool} works on classifiers (task: classification), and this recipe trains a {Recipe.Task} task."]);

    /// <summary>The frozen distillation teacher when the recipe names one, checked against the student; null otherwise.</summary>
    public Distiller? Teacher { get; internal init; }

    /// <summary>What the recipe trains (its <c>task</c>): a classifier, the student of <see cref="Teacher"/>, or any registered task; the run owns it and its modules.</summary>
    public TrainingTask Task { get; internal init; } = null!;

    /// <summary>The trainer's options, carrying the resolved recipe as config text and the batch mixing.</summary>
    public TrainerOptions TrainerOptions { get; internal init; } = null!;

    /// <summary>Whether this process writes the run folder: always, except on ranks other than 0 of a data-parallel job.</summary>
    public bool WritesRunFolder => TrainerOptions.GradientReducer is not { Rank: > 0 };

    /// <summary>The batch mixing, or null.</summary>
    public IBatchMix? BatchMix => TrainerOptions.BatchMix;

    /// <summary>The training transform (augmentation, then to_tensor and normalize).</summary>
    public ISampleTransform TrainTransform { get; internal init; } = null!;

    /// <summary>The eval transform.</summary>
    public ISampleTransform EvalTransform { get; internal init; } = null!;

    /// <summary>How <c>channels_last: auto</c> was decided (on or off, and why); null when the recipe chose itself.</summary>
    public string? ChannelsLastChoice { get; internal init; }

    /// <summary>Normalize's mean and std.</summary>
    public ChannelStatistics Normalization { get; internal init; } = null!;

    /// <inheritdoc/>
    public void Dispose()
    {
        TrainLoader.Dispose();
        ValidationLoader?.Dispose();
        if (!ReferenceEquals(TestLoader, ValidationLoader)) TestLoader?.Dispose();
        // The task owns its modules (the registry model among them).
        Task.Dispose();
        Teacher?.Dispose();
    }
}
