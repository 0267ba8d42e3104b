using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// ResNet (He et al. 2016) as torchvision builds it, with two stems: the ImageNet stem (7x7 stride-2
/// convolution and 3x3 max-pool, /4 before the first stage) and the CIFAR stem (one 3x3 stride-1
/// convolution, no max-pool, so 32x32 inputs keep their resolution into layer1). Basic blocks for 18/34,
/// bottlenecks for 50; optional channel attention in every block (SE-ResNet, ECA-ResNet), stochastic depth
/// increasing linearly over the blocks, dropout before the classifier. Submodule names are torchvision's
/// (conv1, bn1, layer1..4, fc), so its state dicts map one to one. Its features (<see cref="IFeatureModel"/>)
/// are the globally average-pooled last stage (512, or 2048 with bottlenecks) after the dropout; headless there is no fc.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>, IFeatureModel
{
    readonly Conv2d conv1;
    readonly nn.Module<Tensor, Tensor> bn1, act1;
    readonly MaxPool2d? maxpool;
    readonly Sequential layer1, layer2, layer3, layer4;
    readonly AdaptiveAvgPool2d avgpool;
    readonly Flatten flatten;
    readonly Dropout? dropout;
    readonly Linear? fc;
    readonly long numFeatures;

    /// <param name="layers">Blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18.</param>
    /// <param name="bottleneck">Bottleneck blocks (ResNet-50 and deeper) instead of basic blocks.</param>
    /// <param name="cifarStem">3x3 stride-1 stem without max-pool instead of the ImageNet stem.</param>
    /// <param name="options">Common options; NumClasses defaults to 1000 (ImageNet stem) or 100 (CIFAR stem), 0 builds no classifier.</param>
    /// <param name="attention">Builds a channel-attention module for a block's output channels, or null.</param>
    public ResNet(int[] layers, bool bottleneck, bool cifarStem, ModelOptions options, Func<long, nn.Module<Tensor, Tensor>>? attention = null)
        : base(nameof(ResNet))
    {
        if (layers.Length != 4) throw new ArgumentException("ResNet needs block counts for exactly four stages.", nameof(layers));
        var norm = options.Norm ?? NormSpec.Batch;
        int defaultClasses = cifarStem ? 100 : 1000;
        NumClasses = options.NumClasses ?? defaultClasses;
        conv1 = cifarStem
            ? nn.Conv2d(options.InChannels, 64, 3, stride: 1, padding: 1, bias: false)
            : nn.Conv2d(options.InChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = NormFactory.Create(norm, 64);
        act1 = nn.ReLU(inplace: true);
        maxpool = cifarStem ? null : nn.MaxPool2d(3, stride: 2, padding: 1);

        var stages = new StageBuilder(64, StochasticDepth.LinearRates(options.DropPathRate, layers.Sum()));
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        Sequential Stage(long planes, int blocks, long stride) => stages.Stage(blocks, stride, planes * expansion, (inPlanes, s, dp) => bottleneck
            ? new Bottleneck(inPlanes, planes, s, norm, attention, dp)
            : new BasicBlock(inPlanes, planes, s, norm, attention, dp));
        layer1 = Stage(64, layers[0], 1);
        layer2 = Stage(128, layers[1], 2);
        layer3 = Stage(256, layers[2], 2);
        layer4 = Stage(512, layers[3], 2);
        avgpool = nn.AdaptiveAvgPool2d(1);
        flatten = nn.Flatten();
        double dropRate = options.DropRate ?? 0;
        dropout = dropRate > 0 ? nn.Dropout(dropRate) : null;
        numFeatures = stages.Channels;
        fc = ClassifierHead.Create(numFeatures, NumClasses, defaultClasses);
        RegisterComponents();

        ModelInit.KaimingConvsUnitNorms(this);
        if (options.ZeroInitLastBn)
            foreach (var (_, m) in named_modules())
                if (m is BasicBlock b) b.ZeroInitLastNorm();
                else if (m is Bottleneck bb) bb.ZeroInitLastNorm();
    }

    /// <summary>Block counts per stage for the standard depths 18, 34, 50, 101 and 152.</summary>
    public static (int[] Layers, bool Bottleneck) Configuration(int depth) => depth switch
    {
        18 => (new[] { 2, 2, 2, 2 }, false),
        34 => (new[] { 3, 4, 6, 3 }, false),
        50 => (new[] { 3, 4, 6, 3 }, true),
        101 => (new[] { 3, 4, 23, 3 }, true),
        152 => (new[] { 3, 8, 36, 3 }, true),
        _ => throw new ArgumentOutOfRangeException(nameof(depth), depth, "ResNet depth must be 18, 34, 50, 101 or 152."),
    };

    /// <summary>Width of the features of a standard-depth ResNet: the last stage's channels.</summary>
    public static long FeatureWidth(int depth) => 512 * (Configuration(depth).Bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion);

    /// <summary>A standard-depth ResNet.</summary>
    public static ResNet Create(int depth, bool cifarStem, ModelOptions options, Func<long, nn.Module<Tensor, Tensor>>? attention = null)
    {
        var (layers, bottleneck) = Configuration(depth);
        return new ResNet(layers, bottleneck, cifarStem, options, attention);
    }

    /// <inheritdoc/>
    /// <remarks>The classifier's input width when there is one: channel pruning can narrow the last stage.</remarks>
    public long NumFeatures => fc?.in_features ?? numFeatures;

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input)
    {
        var x = act1.call(bn1.call(conv1.call(input)));
        if (maxpool is not null) x = maxpool.call(x);
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        x = flatten.call(avgpool.call(x));
        if (dropout is not null) x = dropout.call(x);
        return x;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ClassifierHead.Apply(fc, ForwardFeatures(input));
}
