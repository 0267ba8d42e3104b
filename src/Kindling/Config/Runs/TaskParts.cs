using Kindling.Data.Datasets;
using Kindling.Training;
using Kindling.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Config.Runs;

/// <summary>What a task is built from when a recipe names it: the resolved recipe, the registry model, the classes, the teacher and the trainer's options.</summary>
public sealed record TaskParts(Recipe Recipe, nn.Module<Tensor, Tensor> Model, IReadOnlyList<string> Classes, Distiller? Teacher, TrainerOptions Options)
{
    /// <summary>The training split (as the loader reads it), for what a task derives from the data: balanced class weights.</summary>
    public IImageDataset? Train { get; init; }
}
