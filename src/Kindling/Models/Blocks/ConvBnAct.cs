using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// A bias-free convolution, its normalization and an optional activation, as submodules named
/// <c>conv</c>, <c>bn</c> and <c>act</c>: the triple that conv-BN(-ReLU) fusion looks for.
/// </summary>
public sealed class ConvBnAct : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly nn.Module<Tensor, Tensor> bn;
    readonly nn.Module<Tensor, Tensor>? act;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Square kernel size; padding is (k-1)/2 so stride 1 keeps the size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="groups">Convolution groups (the channel count for a depthwise convolution).</param>
    /// <param name="norm">Normalization after the convolution.</param>
    /// <param name="activation">Activation after the normalization, or null for a linear output (MobileNetV2's projection).</param>
    public ConvBnAct(long inChannels, long outChannels, long kernelSize, long stride = 1, long groups = 1,
        NormSpec? norm = null, nn.Module<Tensor, Tensor>? activation = null) : base(nameof(ConvBnAct))
    {
        // The bias would be cancelled by the normalization's mean subtraction (and folded in at fusion).
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: (kernelSize - 1) / 2, groups: groups, bias: false);
        bn = NormFactory.Create(norm ?? NormSpec.Batch, outChannels);
        act = activation;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var y = bn.call(conv.call(input));
        return act is null ? y : act.call(y);
    }
}
