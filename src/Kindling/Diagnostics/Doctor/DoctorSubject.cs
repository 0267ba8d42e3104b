using Kindling.Data.Loading;
using Kindling.Data.Transforms;
using Kindling.Losses;
using Kindling.Training;
using Kindling.Training.Tasks;
using static TorchSharp.torch;

namespace Kindling.Diagnostics.Doctor;

/// <summary>
/// What the doctor examines: the model, the training loader (its data, sampler and batch size), the
/// transforms, the loss and the trainer's options (optimizer, accumulation, device). From a recipe:
/// <c>Config.Tools.RecipeDoctor.Subject(run)</c>.
/// </summary>
public sealed record DoctorSubject
{
    /// <summary>
    /// The classifier as it will be trained (freshly initialised); null for a task with networks of its own (give <see cref="Task"/>),
    /// which gets the checks that do not read a classifier.
    /// </summary>
    public nn.Module<Tensor, Tensor>? Model { get; init; }

    /// <summary>The training loader; its first batch is what the forward checks run on.</summary>
    public required DataLoader TrainLoader { get; init; }

    /// <summary>The training transform (with augmentation); with <see cref="EvalTransform"/>, compared on the same images.</summary>
    public ISampleTransform? TrainTransform { get; init; }

    /// <summary>The validation/test transform.</summary>
    public ISampleTransform? EvalTransform { get; init; }

    /// <summary>Optimizer, accumulation, label smoothing and device, as the Trainer will use them.</summary>
    public TrainerOptions Trainer { get; init; } = new();

    /// <summary>The loss; null: the Trainer's cross-entropy with <see cref="TrainerOptions.LabelSmoothing"/>.</summary>
    public ILoss? Loss { get; init; }

    /// <summary>
    /// What trains <see cref="Model"/> (a recipe's task: its loss, batch mixing, a teacher); the checks that train run its
    /// step through the engine. Null: a classifier of <see cref="Model"/> with <see cref="Loss"/> (or the Trainer's
    /// cross-entropy) and the Trainer's batch mixing.
    /// </summary>
    public TrainingTask? Task { get; init; }

    /// <summary>Whether validation (best checkpoint, early stopping) runs on the test split; null: not known.</summary>
    public bool? ValidatesOnTest { get; init; }
}
