using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// The pre-activation basic block (He et al. 2016, "Identity Mappings"; Zagoruyko and Komodakis's wide
/// block): BN-ReLU-conv3x3, [dropout], BN-ReLU-conv3x3, with bias-free convolutions. When the shape
/// changes, the shortcut is a bare 1x1 convolution of the pre-activated input; otherwise the identity,
/// so the signal passes through the network unnormalized.
/// </summary>
public sealed class PreActBlock : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;
    readonly nn.Module<Tensor, Tensor> bn1, bn2, act1, act2;
    readonly nn.Module<Tensor, Tensor>? dropout, drop_path, shortcut;

    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">Stride of the first convolution.</param>
    /// <param name="norm">Normalization layers.</param>
    /// <param name="dropRate">Dropout between the two convolutions (WRN's "dropout in residual block").</param>
    /// <param name="dropPath">Stochastic-depth probability of this block.</param>
    public PreActBlock(long inPlanes, long planes, long stride = 1, NormSpec? norm = null, double dropRate = 0, double dropPath = 0)
        : base(nameof(PreActBlock))
    {
        norm ??= NormSpec.Batch;
        bn1 = NormFactory.Create(norm, inPlanes);
        // Not in place: with norm none, bn1 is the identity and an in-place ReLU would overwrite the block's input,
        // which the identity shortcut still needs.
        act1 = nn.ReLU();
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        dropout = dropRate > 0 ? nn.Dropout(dropRate) : null;
        bn2 = NormFactory.Create(norm, planes);
        act2 = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        drop_path = dropPath > 0 ? new StochasticDepth(dropPath) : null;
        shortcut = Residuals.PreActProjection(inPlanes, planes, stride);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var pre = act1.call(bn1.call(input));
        // The projection sees the normalized input (as in the paper's code); the identity sees the raw one.
        var skip = shortcut is null ? input : shortcut.call(pre);
        var y = conv1.call(pre);
        if (dropout is not null) y = dropout.call(y);
        y = conv2.call(act2.call(bn2.call(y)));
        if (drop_path is not null) y = drop_path.call(y);
        return y.add_(skip);
    }
}
