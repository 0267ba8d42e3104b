using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>Shortcut builders shared by the residual blocks.</summary>
static class Residuals
{
    /// <summary>
    /// The projection shortcut (He et al.'s option B): a strided 1x1 convolution with its normalization when
    /// the block changes the channels or the size, null (the identity) when it does not.
    /// </summary>
    public static nn.Module<Tensor, Tensor>? Projection(long inChannels, long outChannels, long stride, NormSpec norm) =>
        stride == 1 && inChannels == outChannels
            ? null
            : nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), NormFactory.Create(norm, outChannels));

    /// <summary>Pre-activation variant: the bare 1x1 projection, since the input is already normalized and activated.</summary>
    public static nn.Module<Tensor, Tensor>? PreActProjection(long inChannels, long outChannels, long stride) =>
        stride == 1 && inChannels == outChannels
            ? null
            : nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
}
