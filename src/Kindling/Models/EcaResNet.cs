using Kindling.Models.Blocks;

namespace Kindling.Models;

/// <summary>
/// ECA-ResNet (Wang et al. 2020): a <see cref="ResNet"/> with <see cref="EfficientChannelAttention"/> on every
/// residual branch where SE would sit, its 1-D kernel size chosen from the channels (γ = 2, b = 1).
/// </summary>
public static class EcaResNet
{
    /// <summary>An ECA-ResNet of a standard depth.</summary>
    public static ResNet Create(int depth, bool cifarStem, ModelOptions options) =>
        ResNet.Create(depth, cifarStem, options, c => new EfficientChannelAttention(c));
}
