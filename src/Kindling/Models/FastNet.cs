using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// A small, fast classifier in the spirit of airbench (Keller Jordan's CIFAR-10 speed runs): a
/// 3x3 stem, then three blocks of [conv3x3, maxpool 2, norm, GELU, conv3x3, norm, GELU], global max
/// pooling and one linear layer. Widths 64/256/256 at multiplier 1 (airbench94's); the CPU recipes
/// use smaller multipliers. Pooling early keeps the multiply-accumulates low: about 147 M per 32x32
/// image at width 1, 37 M at 0.5, against the seed CNN's 212 M. Its features (<see cref="IFeatureModel"/>) are
/// the globally max-pooled last block (256 at multiplier 1) after the dropout; headless there is no head.
/// </summary>
public sealed class FastNet : nn.Module<Tensor, Tensor>, IFeatureModel
{
    const int DefaultClasses = 10;
    readonly Sequential body;
    readonly Linear? head;

    /// <param name="options">Common options plus norm and width_multiplier; NumClasses defaults to 10 (0: no head).</param>
    public FastNet(ModelOptions options) : base(nameof(FastNet))
    {
        double m = options.WidthMultiplier ?? 1.0;
        if (m <= 0) throw new ArgumentOutOfRangeException(nameof(options), m, "width_multiplier must be > 0.");
        var norm = options.Norm ?? NormSpec.Batch;
        int stem = Scale(24, m);
        int[] widths = { Scale(64, m), Scale(256, m), Scale(256, m) };
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("stem", nn.Sequential(("conv", nn.Conv2d(options.InChannels, stem, 3, padding: 1, bias: false)), ("bn", NormFactory.Create(norm, stem)), ("act", nn.GELU()))),
        };
        int channels = stem;
        for (int b = 0; b < widths.Length; b++)
        {
            int w = widths[b];
            layers.Add(($"block{b + 1}", nn.Sequential(
                ("conv1", nn.Conv2d(channels, w, 3, padding: 1, bias: false)),
                ("pool", nn.MaxPool2d(2)),
                ("bn1", NormFactory.Create(norm, w)),
                ("act1", nn.GELU()),
                ("conv2", nn.Conv2d(w, w, 3, padding: 1, bias: false)),
                ("bn2", NormFactory.Create(norm, w)),
                ("act2", nn.GELU()))));
            channels = w;
        }
        layers.Add(("pool", nn.AdaptiveMaxPool2d(new long[] { 1, 1 })));
        layers.Add(("flatten", nn.Flatten()));
        if (options.DropRate is double p && p > 0) layers.Add(("drop", nn.Dropout(p)));
        body = nn.Sequential(layers);
        NumFeatures = channels;
        NumClasses = options.NumClasses ?? DefaultClasses;
        head = ClassifierHead.Create(channels, NumClasses, DefaultClasses, hasBias: false);
        RegisterComponents();
        ModelInit.KaimingConvsUnitNorms(this);
    }

    static int Scale(int width, double multiplier) => Math.Max(8, (int)Math.Round(width * multiplier / 8) * 8);

    /// <summary>Width of the features at width multiplier <paramref name="multiplier"/>: the last block's channels.</summary>
    public static long FeatureWidth(double multiplier) => Scale(256, multiplier);

    /// <inheritdoc/>
    public long NumFeatures { get; }

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input) => body.call(input);

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ClassifierHead.Apply(head, ForwardFeatures(input));
}
