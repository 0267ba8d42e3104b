using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// MobileNetV2 (Sandler et al. 2018) as torchvision builds it: a stride-2 3x3 stem with 32 channels,
/// seventeen <see cref="InvertedResidual"/>s (expansion t, channels c, repeats n, stride s of the paper's
/// table), a 1x1 convolution to 1280 channels, global average pooling, dropout 0.2 and the classifier.
/// The width multiplier α scales every layer's channels, rounded to multiples of 8 (never down by more
/// than 10%); the last layer widens only when α > 1. The CIFAR variant keeps resolution where 32x32 inputs
/// cannot afford to lose it: stride 1 in the stem and in the second stage (/8 overall instead of /32).
/// Its features (<see cref="IFeatureModel"/>) are the pooled last layer (1280 at α ≤ 1) after the classifier's
/// dropout; headless the <c>classifier</c> Sequential holds only that dropout.
/// </summary>
public sealed class MobileNetV2 : nn.Module<Tensor, Tensor>, IFeatureModel
{
    // t, c, n, s of the paper's Table 2.
    static readonly (int T, int C, int N, int S)[] Settings =
    {
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    };

    readonly Sequential features;
    readonly AdaptiveAvgPool2d avgpool;
    readonly Flatten flatten;
    readonly Sequential classifier;

    /// <param name="options">Common options plus <see cref="ModelOptions.WidthMultiplier"/>; NumClasses defaults to 1000 (100 for CIFAR), 0 builds no fc; DropRate defaults to 0.2.</param>
    /// <param name="cifar">CIFAR variant: stride 1 in the stem and the second stage.</param>
    public MobileNetV2(ModelOptions options, bool cifar = false) : base(nameof(MobileNetV2))
    {
        double alpha = options.WidthMultiplier ?? 1.0;
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(options), alpha, "width_multiplier must be positive.");
        var norm = options.Norm ?? NormSpec.Batch;
        long inputChannels = MakeDivisible(32 * alpha);
        long lastChannels = FeatureWidth(alpha);
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            new ConvBnAct(options.InChannels, inputChannels, 3, cifar ? 1 : 2, norm: norm, activation: nn.ReLU6(inplace: true)),
        };
        int residualBlocks = Settings.Sum(s => s.N);
        var rates = StochasticDepth.LinearRates(options.DropPathRate, residualBlocks);
        int blockIndex = 0;
        for (int stage = 0; stage < Settings.Length; stage++)
        {
            var (t, c, n, s) = Settings[stage];
            if (cifar && stage == 1) s = 1;
            long outputChannels = MakeDivisible(c * alpha);
            for (int i = 0; i < n; i++)
            {
                layers.Add(new InvertedResidual(inputChannels, outputChannels, i == 0 ? s : 1, t, norm, rates[blockIndex++]));
                inputChannels = outputChannels;
            }
        }
        layers.Add(new ConvBnAct(inputChannels, lastChannels, 1, norm: norm, activation: nn.ReLU6(inplace: true)));
        features = nn.Sequential(layers);
        avgpool = nn.AdaptiveAvgPool2d(1);
        flatten = nn.Flatten();
        int defaultClasses = cifar ? 100 : 1000;
        NumFeatures = lastChannels;
        NumClasses = options.NumClasses ?? defaultClasses;
        var head = new List<(string, nn.Module<Tensor, Tensor>)> { ("dropout", nn.Dropout(options.DropRate ?? 0.2)) };
        var fc = ClassifierHead.Create(lastChannels, NumClasses, defaultClasses);
        if (fc is not null) head.Add(("fc", fc));
        classifier = nn.Sequential(head);
        RegisterComponents();
        // torchvision: Kaiming fan_out convolutions, unit norms, classifier N(0, 0.01).
        ModelInit.KaimingConvsUnitNorms(this);
        if (fc is not null) ModelInit.SmallNormalLinear(fc);
    }

    /// <summary>Width of the features at width multiplier <paramref name="alpha"/>: the last layer widens only when α &gt; 1.</summary>
    public static long FeatureWidth(double alpha) => MakeDivisible(1280 * Math.Max(1.0, alpha));

    /// <inheritdoc/>
    public long NumFeatures { get; }

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input) => ClassifierHead.ForwardWithout(classifier, "fc", flatten.call(avgpool.call(features.call(input))));

    /// <summary>
    /// torchvision's _make_divisible: the nearest multiple of 8 (at least 8), bumped up by 8 when rounding
    /// lost more than 10%, so hardware-friendly widths never shrink a layer much.
    /// </summary>
    public static long MakeDivisible(double value, int divisor = 8)
    {
        long v = Math.Max(divisor, (long)(value + divisor / 2.0) / divisor * divisor);
        if (v < 0.9 * value) v += divisor;
        return v;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => classifier.call(flatten.call(avgpool.call(features.call(input))));
}
