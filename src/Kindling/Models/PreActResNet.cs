using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// Pre-activation ResNet-18 for CIFAR (He et al. 2016, "Identity Mappings in Deep Residual Networks"):
/// 3x3 stem, four stages of <see cref="PreActBlock"/>s with 64..512 channels, then the final BN-ReLU the
/// pre-activation design needs (the last block's output is not normalized), global average pooling and
/// the classifier. Its features (<see cref="IFeatureModel"/>) are the pooled 512 channels after the final
/// BN-ReLU and the dropout; headless there is no fc.
/// </summary>
public sealed class PreActResNet : nn.Module<Tensor, Tensor>, IFeatureModel
{
    /// <summary>Width of the features: the last stage's channels.</summary>
    public const int FeatureWidth = 512;
    const int DefaultClasses = 100;

    readonly Conv2d conv1;
    readonly Sequential layer1, layer2, layer3, layer4;
    readonly nn.Module<Tensor, Tensor> bn, act;
    readonly AdaptiveAvgPool2d avgpool;
    readonly Flatten flatten;
    readonly Dropout? dropout;
    readonly Linear? fc;

    /// <param name="layers">Blocks per stage ([2, 2, 2, 2] for PreAct ResNet-18).</param>
    /// <param name="options">Common options; NumClasses defaults to 100, 0 builds no classifier.</param>
    public PreActResNet(int[] layers, ModelOptions options) : base(nameof(PreActResNet))
    {
        if (layers.Length != 4) throw new ArgumentException("PreActResNet needs block counts for exactly four stages.", nameof(layers));
        var norm = options.Norm ?? NormSpec.Batch;
        conv1 = nn.Conv2d(options.InChannels, 64, 3, padding: 1, bias: false);
        var stages = new StageBuilder(64, StochasticDepth.LinearRates(options.DropPathRate, layers.Sum()));
        Sequential Stage(long planes, int blocks, long stride) =>
            stages.Stage(blocks, stride, planes, (inPlanes, s, dp) => new PreActBlock(inPlanes, planes, s, norm, dropPath: dp));
        layer1 = Stage(64, layers[0], 1);
        layer2 = Stage(128, layers[1], 2);
        layer3 = Stage(256, layers[2], 2);
        layer4 = Stage(512, layers[3], 2);
        bn = NormFactory.Create(norm, FeatureWidth);
        act = nn.ReLU(inplace: true);
        avgpool = nn.AdaptiveAvgPool2d(1);
        flatten = nn.Flatten();
        double dropRate = options.DropRate ?? 0;
        dropout = dropRate > 0 ? nn.Dropout(dropRate) : null;
        NumClasses = options.NumClasses ?? DefaultClasses;
        fc = ClassifierHead.Create(FeatureWidth, NumClasses, DefaultClasses);
        RegisterComponents();
        ModelInit.KaimingConvsUnitNorms(this);
    }

    /// <inheritdoc/>
    public long NumFeatures => FeatureWidth;

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input)
    {
        var x = conv1.call(input);
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        x = flatten.call(avgpool.call(act.call(bn.call(x))));
        if (dropout is not null) x = dropout.call(x);
        return x;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ClassifierHead.Apply(fc, ForwardFeatures(input));
}
