using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using TorchSharp;

namespace Kindling.Config.Runs;

/// <summary>
/// What eval and predict need from a recipe: the model (weights not loaded), the eval transform
/// (ending in Normalize with the training statistics), the class names and the input shape
/// images are resized to.
/// </summary>
/// <param name="Model">The network as the recipe builds it; load a checkpoint's weights into it.</param>
/// <param name="Transform">The eval transform, applied to [C,H,W] uint8 images.</param>
/// <param name="Classes">Class names by label.</param>
/// <param name="InputShape">Channels and side the model takes.</param>
/// <param name="Normalization">Normalize's mean and std.</param>
public sealed record EvalPipeline(
    torch.nn.Module<torch.Tensor, torch.Tensor> Model,
    ISampleTransform Transform,
    IReadOnlyList<string> Classes,
    ImageShape InputShape,
    ChannelStatistics Normalization);
