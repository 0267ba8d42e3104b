using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Models.Blocks;

/// <summary>
/// MobileNetV2's inverted residual (Sandler et al. 2018): narrow -> wide -> narrow. A 1x1 expansion
/// (skipped when the ratio is 1), a 3x3 depthwise convolution carrying the stride, both with BN-ReLU6,
/// then a linear 1x1 projection with BN and no activation (a ReLU in the narrow space would destroy
/// information). The residual is added only when the stride is 1 and the channels match; stochastic depth
/// applies to that branch. Submodules: <c>expand</c>, <c>depthwise</c>, <c>project</c>
/// (<see cref="ConvBnAct"/>s).
/// </summary>
public sealed class InvertedResidual : nn.Module<Tensor, Tensor>
{
    readonly ConvBnAct? expand;
    readonly ConvBnAct depthwise, project;
    readonly nn.Module<Tensor, Tensor>? drop_path;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">Stride of the depthwise convolution (1 or 2).</param>
    /// <param name="expandRatio">Expansion factor t of the hidden width.</param>
    /// <param name="norm">Normalization layers.</param>
    /// <param name="dropPath">Stochastic-depth probability (used only when the block has a residual).</param>
    public InvertedResidual(long inChannels, long outChannels, long stride, int expandRatio, NormSpec? norm = null, double dropPath = 0)
        : base(nameof(InvertedResidual))
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "InvertedResidual's stride must be 1 or 2.");
        long hidden = inChannels * expandRatio;
        UsesResidual = stride == 1 && inChannels == outChannels;
        expand = expandRatio != 1 ? new ConvBnAct(inChannels, hidden, 1, norm: norm, activation: nn.ReLU6(inplace: true)) : null;
        depthwise = new ConvBnAct(hidden, hidden, 3, stride, groups: hidden, norm: norm, activation: nn.ReLU6(inplace: true));
        project = new ConvBnAct(hidden, outChannels, 1, norm: norm);
        drop_path = UsesResidual && dropPath > 0 ? new StochasticDepth(dropPath) : null;
        RegisterComponents();
    }

    /// <summary>Whether the block adds its input (stride 1 and equal channels).</summary>
    public bool UsesResidual { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        var y = expand is null ? input : expand.call(input);
        y = project.call(depthwise.call(y));
        if (!UsesResidual) return y;
        if (drop_path is not null) y = drop_path.call(y);
        return y.add_(input);
    }
}
