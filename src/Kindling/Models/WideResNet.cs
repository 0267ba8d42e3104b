using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// Wide ResNet WRN-d-k (Zagoruyko and Komodakis 2016), the paper's CIFAR network: a 3x3 stem with 16
/// channels, three groups of n = (d-4)/6 pre-activation blocks with 16k, 32k and 64k channels (strides 1,
/// 2, 2), bias-free convolutions, 1x1 projection shortcuts where the shape changes, dropout between each
/// block's convolutions (<see cref="ModelOptions.DropRate"/>, 0.3 in the paper), then BN-ReLU, global
/// average pooling and the classifier. Its features (<see cref="IFeatureModel"/>) are the pooled 64k channels after
/// the final BN-ReLU; headless there is no fc.
/// </summary>
public sealed class WideResNet : nn.Module<Tensor, Tensor>, IFeatureModel
{
    const int DefaultClasses = 100;

    readonly Conv2d conv1;
    readonly Sequential block1, block2, block3;
    readonly nn.Module<Tensor, Tensor> bn, act;
    readonly AdaptiveAvgPool2d avgpool;
    readonly Flatten flatten;
    readonly Linear? fc;

    /// <param name="depth">Total depth d; must be 6n+4 (e.g. 16, 22, 28, 40).</param>
    /// <param name="widenFactor">Widen factor k.</param>
    /// <param name="options">Common options; NumClasses defaults to 100, 0 builds no classifier.</param>
    public WideResNet(int depth, int widenFactor, ModelOptions options) : base(nameof(WideResNet))
    {
        if (depth < 10 || (depth - 4) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "WideResNet depth must be 6n+4 with n >= 1 (e.g. 16, 22, 28, 40).");
        if (widenFactor < 1) throw new ArgumentOutOfRangeException(nameof(widenFactor), widenFactor, "WideResNet's widen factor k must be at least 1.");
        int n = (depth - 4) / 6;
        var norm = options.Norm ?? NormSpec.Batch;
        double dropRate = options.DropRate ?? 0;
        var stages = new StageBuilder(16, StochasticDepth.LinearRates(options.DropPathRate, 3 * n));
        conv1 = nn.Conv2d(options.InChannels, 16, 3, padding: 1, bias: false);
        Sequential Group(long planes, long stride) =>
            stages.Stage(n, stride, planes, (inPlanes, s, dp) => new PreActBlock(inPlanes, planes, s, norm, dropRate, dp));
        block1 = Group(16L * widenFactor, 1);
        block2 = Group(32L * widenFactor, 2);
        block3 = Group(64L * widenFactor, 2);
        bn = NormFactory.Create(norm, stages.Channels);
        act = nn.ReLU(inplace: true);
        avgpool = nn.AdaptiveAvgPool2d(1);
        flatten = nn.Flatten();
        NumFeatures = stages.Channels;
        NumClasses = options.NumClasses ?? DefaultClasses;
        fc = ClassifierHead.Create(NumFeatures, NumClasses, DefaultClasses);
        RegisterComponents();
        // The reference code: Kaiming fan_out convolutions, unit norms, zero classifier bias.
        ModelInit.KaimingConvsUnitNorms(this);
        if (fc is not null)
            using (torch.no_grad()) nn.init.zeros_(fc.bias!);
    }

    /// <summary>Width of the features of a WRN with widen factor k: the last group's 64k channels.</summary>
    public static long FeatureWidth(int widenFactor) => 64L * widenFactor;

    /// <inheritdoc/>
    public long NumFeatures { get; }

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input)
    {
        var x = block3.call(block2.call(block1.call(conv1.call(input))));
        return flatten.call(avgpool.call(act.call(bn.call(x))));
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ClassifierHead.Apply(fc, ForwardFeatures(input));
}
