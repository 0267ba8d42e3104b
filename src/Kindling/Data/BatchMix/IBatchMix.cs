using TorchSharp;

namespace Kindling.Data.BatchMix;

/// <summary>
/// A batch-level augmentation that mixes samples (mixup, CutMix): takes a batch of images [N,C,H,W] (float)
/// and labels [N], and returns the mixed images with both sets of targets and the mixing weight for the
/// lambda-weighted loss. Randomness comes from <c>rng</c>, so a fixed seed gives the same mix.
/// </summary>
public interface IBatchMix
{
    /// <summary>Mixes one batch.</summary>
    MixedBatch Apply(torch.Tensor images, torch.Tensor labels, Random rng);
}
