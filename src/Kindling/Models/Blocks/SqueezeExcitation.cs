using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// Squeeze-and-Excitation (Hu et al. 2018), exactly the seeds' SEBlock: global average pooling, then
/// Linear(C, C/r, no bias), ReLU, Linear(C/r, C, no bias), Sigmoid, and the input scaled channel-wise by
/// the result. Submodules <c>avg_pool</c> and <c>fc.0</c>/<c>fc.2</c> carry the seeds' names, so a
/// PyTorch state dict of SEBlock loads as is.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
    readonly AdaptiveAvgPool2d avg_pool;
    readonly Sequential fc;

    /// <param name="channels">Channels C of the feature map.</param>
    /// <param name="reduction">Reduction ratio r; the bottleneck has max(1, C / r) units.</param>
    public SqueezeExcitation(long channels, int reduction = 16) : base(nameof(SqueezeExcitation))
    {
        if (reduction < 1) throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "SE reduction must be at least 1.");
        // C // r as the seed, but never 0 units: narrow layers with a large r would otherwise have no bottleneck at all.
        long hidden = Math.Max(1, channels / reduction);
        avg_pool = nn.AdaptiveAvgPool2d(1);
        fc = nn.Sequential(
            nn.Linear(channels, hidden, hasBias: false),
            nn.ReLU(inplace: true),
            nn.Linear(hidden, channels, hasBias: false),
            nn.Sigmoid());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        long b = input.shape[0], c = input.shape[1];
        var y = fc.call(avg_pool.call(input).view(b, c)).view(b, c, 1, 1);
        return input * y;
    }
}
