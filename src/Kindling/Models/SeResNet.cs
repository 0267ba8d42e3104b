using Kindling.Models.Blocks;

namespace Kindling.Models;

/// <summary>
/// SE-ResNet (Hu et al. 2018): a <see cref="ResNet"/> with a <see cref="SqueezeExcitation"/> block on every
/// residual branch, after its last normalization and before the addition (the paper's "standard SE"
/// placement, as in the seeds' SEResidualBlock).
/// </summary>
public static class SeResNet
{
    /// <summary>Default reduction ratio r (the paper's choice).</summary>
    public const int DefaultReduction = 16;

    /// <summary>An SE-ResNet of a standard depth; <see cref="ModelOptions.SeReduction"/> sets r.</summary>
    public static ResNet Create(int depth, bool cifarStem, ModelOptions options)
    {
        int r = options.SeReduction ?? DefaultReduction;
        return ResNet.Create(depth, cifarStem, options, c => new SqueezeExcitation(c, r));
    }
}
