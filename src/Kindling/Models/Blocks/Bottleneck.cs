using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// ResNet's bottleneck block as torchvision builds it (ResNet v1.5: the stride sits on the 3x3
/// convolution): conv1x1-BN-ReLU, conv3x3-BN-ReLU, conv1x1-BN to 4x the width, optional channel attention
/// and stochastic depth on the branch, plus the shortcut, then ReLU.
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per unit of <c>planes</c>.</summary>
    public const int Expansion = 4;

    readonly Conv2d conv1, conv2, conv3;
    readonly nn.Module<Tensor, Tensor> bn1, bn2, bn3, act1, act2, act3;
    readonly nn.Module<Tensor, Tensor>? attn, drop_path, downsample;

    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">Bottleneck width; the output has 4x as many channels.</param>
    /// <param name="stride">Stride of the 3x3 convolution.</param>
    /// <param name="norm">Normalization layers.</param>
    /// <param name="attention">Builds a channel-attention module for the branch's output channels, or null.</param>
    /// <param name="dropPath">Stochastic-depth probability of this block.</param>
    public Bottleneck(long inPlanes, long planes, long stride = 1, NormSpec? norm = null,
        Func<long, nn.Module<Tensor, Tensor>>? attention = null, double dropPath = 0) : base(nameof(Bottleneck))
    {
        norm ??= NormSpec.Batch;
        long outPlanes = planes * Expansion;
        conv1 = nn.Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = NormFactory.Create(norm, planes);
        act1 = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
        bn2 = NormFactory.Create(norm, planes);
        act2 = nn.ReLU(inplace: true);
        conv3 = nn.Conv2d(planes, outPlanes, 1, bias: false);
        bn3 = NormFactory.Create(norm, outPlanes);
        attn = attention?.Invoke(outPlanes);
        drop_path = dropPath > 0 ? new StochasticDepth(dropPath) : null;
        downsample = Residuals.Projection(inPlanes, outPlanes, stride, norm);
        act3 = nn.ReLU(inplace: true);
        RegisterComponents();
    }

    /// <summary>Zeroes the scale of the branch's last normalization (bn3), so the block starts as the identity.</summary>
    public void ZeroInitLastNorm() => ModelInit.ZeroNormScale(bn3);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var y = act1.call(bn1.call(conv1.call(input)));
        y = act2.call(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        if (attn is not null) y = attn.call(y);
        if (drop_path is not null) y = drop_path.call(y);
        var shortcut = downsample is null ? input : downsample.call(input);
        return act3.call(y.add_(shortcut));
    }
}
