using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Stochastic depth (DropPath, Huang et al. 2016): in training, drops the whole residual branch of each
/// sample with probability p and scales the survivors by 1/(1-p) so the expected output is unchanged;
/// the identity in eval. Same as the seeds' StochasticDepth and torchvision's stochastic_depth(mode="row").
/// </summary>
public sealed class StochasticDepth : nn.Module<Tensor, Tensor>
{
    /// <param name="dropProbability">Probability p of dropping a sample's branch, in [0, 1).</param>
    public StochasticDepth(double dropProbability) : base(nameof(StochasticDepth))
    {
        if (dropProbability is < 0 or >= 1 || double.IsNaN(dropProbability))
            throw new ArgumentOutOfRangeException(nameof(dropProbability), dropProbability, "drop_path_rate must be in [0, 1).");
        DropProbability = dropProbability;
    }

    /// <summary>Probability of dropping a sample's branch in training.</summary>
    public double DropProbability { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (!training || DropProbability == 0) return input;
        double keep = 1 - DropProbability;
        // One draw per sample, broadcast over the other dimensions: the whole branch survives or not.
        var shape = new long[input.dim()];
        shape[0] = input.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        var mask = torch.empty(shape, input.dtype, input.device).bernoulli_(keep);
        return input * mask.div_(keep);
    }

    /// <summary>
    /// The per-block drop probabilities of a network: linearly increasing from 0 for the first block to
    /// <paramref name="rate"/> for the last (Huang et al.'s linear decay rule, as timm applies it).
    /// </summary>
    public static double[] LinearRates(double rate, int blocks) =>
        Enumerable.Range(0, blocks).Select(i => blocks <= 1 ? rate : rate * i / (blocks - 1)).ToArray();
}
