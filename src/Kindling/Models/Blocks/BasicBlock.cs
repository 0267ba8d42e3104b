using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// ResNet's basic block (He et al. 2016): conv3x3-BN-ReLU, conv3x3-BN, optional channel attention (SE or
/// ECA) on the branch, stochastic depth on the branch, plus the shortcut, then ReLU. The shortcut is a
/// 1x1 convolution with BN (<c>downsample.0</c>/<c>downsample.1</c>, torchvision's names) when the shape
/// changes, the identity otherwise.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 1;

    readonly Conv2d conv1, conv2;
    readonly nn.Module<Tensor, Tensor> bn1, bn2, act1, act2;
    readonly nn.Module<Tensor, Tensor>? attn, drop_path, downsample;

    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Output channels.</param>
    /// <param name="stride">Stride of the first convolution (2 halves the size).</param>
    /// <param name="norm">Normalization layers.</param>
    /// <param name="attention">Builds a channel-attention module for the branch's output channels, or null.</param>
    /// <param name="dropPath">Stochastic-depth probability of this block.</param>
    public BasicBlock(long inPlanes, long planes, long stride = 1, NormSpec? norm = null,
        Func<long, nn.Module<Tensor, Tensor>>? attention = null, double dropPath = 0) : base(nameof(BasicBlock))
    {
        norm ??= NormSpec.Batch;
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = NormFactory.Create(norm, planes);
        act1 = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = NormFactory.Create(norm, planes);
        attn = attention?.Invoke(planes);
        drop_path = dropPath > 0 ? new StochasticDepth(dropPath) : null;
        downsample = Residuals.Projection(inPlanes, planes * Expansion, stride, norm);
        act2 = nn.ReLU(inplace: true);
        RegisterComponents();
    }

    /// <summary>Zeroes the scale of the branch's last normalization (bn2), so the block starts as the identity.</summary>
    public void ZeroInitLastNorm() => ModelInit.ZeroNormScale(bn2);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var y = bn2.call(conv2.call(act1.call(bn1.call(conv1.call(input)))));
        if (attn is not null) y = attn.call(y);
        if (drop_path is not null) y = drop_path.call(y);
        var shortcut = downsample is null ? input : downsample.call(input);
        return act2.call(y.add_(shortcut));
    }
}
