using Kindling.Data.Datasets;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Config.Runs;

/// <summary>
/// What a task is built from when a recipe names it: the resolved recipe, the registry model (null for a task that builds its
/// own networks, <see cref="TaskModel.Own"/>), the classes, the teacher and the trainer's options.
/// </summary>
/// <remarks>
/// <see cref="Options"/> are the recipe's trainer options before <c>data.channels_last: auto</c> is decided (it is decided from
/// the task's network once the task exists); a task reads its loss and step settings from them, not the memory format.
/// A task rebuilt from a checkpoint (<see cref="CheckpointTask"/>) has no <see cref="Train"/> split.
/// </remarks>
public sealed record TaskParts(Recipe Recipe, nn.Module<Tensor, Tensor>? Model, IReadOnlyList<string> Classes, Distiller? Teacher, TrainerOptions Options)
{
    /// <summary>The training split (as the loader reads it), for what a task derives from the data: balanced class weights. Null when rebuilt from a checkpoint.</summary>
    public IImageDataset? Train { get; init; }

    /// <summary>The image shape the data gives (channels, side), as resolved into the model section.</summary>
    public ImageShape Shape => new(Recipe.Model.InChannels ?? 3, Recipe.Model.InputSize ?? 32, Recipe.Model.InputSize ?? 32);

    /// <summary>The registry model; throws for a task registered with <see cref="TaskModel.Own"/>, which gets none.</summary>
    public nn.Module<Tensor, Tensor> RequireModel() =>
        Model ?? throw new InvalidOperationException($"the {Recipe.Task} task is registered as building its own networks (TaskModel.Own), so it gets no registry model.");
}
