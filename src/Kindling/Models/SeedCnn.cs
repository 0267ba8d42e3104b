using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// The seeds' CIFAR-100 network: four blocks of [conv3x3-BN-ReLU, conv3x3-BN-ReLU, maxpool 2] with
/// 64, 128, 256 and 512 channels, dropout after each block, then flatten, linear 1024, ReLU,
/// dropout, linear 512, ReLU, dropout, linear num_classes. Padded convolutions keep the size, each
/// pool halves it (floor), so 32x32 ends at 512x2x2 = 2048 features; for other inputs the flatten
/// width follows the same rule (28x28: 28, 14, 7, 3, 1 gives 512).
/// Submodules are named blockN.{conv1,bn1,relu1,conv2,bn2,relu2,pool,drop} so conv-BN-ReLU triples
/// can be found and fused later. With norm none the bnN slots hold identities (the names stay, so the
/// structure does not change); with group(G) they hold GroupNorms. Initialisation is PyTorch's default
/// (the seeds do not re-initialise). The seeds' first ablation ("2 CNN layers with Batchnorm", seed 001) ran the first two
/// blocks alone (64 and 128 channels, the same head): <c>seed-cnn-2block</c>, <c>blocks</c> 2.
/// <para>Its features (<see cref="IFeatureModel"/>) are the 512-wide penultimate layer after its ReLU and dropout,
/// what fc3 reads (timm's rule: the input of the final classifier), not the flattened convolution map: the MLP
/// is part of the network the seeds train, and 512 does not depend on the input size. Headless
/// (num_classes 0) the <c>classifier</c> Sequential keeps flatten..drop2 under the same names and lacks fc3.</para>
/// </summary>
public sealed class SeedCnn : nn.Module<Tensor, Tensor>, IFeatureModel
{
    /// <summary>Width of the features: the penultimate linear layer's output.</summary>
    public const int FeatureWidth = 512;
    const int DefaultClasses = 100;
    static readonly int[] Widths = { 64, 128, 256, 512 };
    readonly Sequential features;
    readonly Sequential classifier;

    /// <param name="numClasses">Number of output classes; 0 builds it without fc3 (forward returns the features).</param>
    /// <param name="inChannels">Input channels (3 for RGB, 1 for grayscale).</param>
    /// <param name="inputSize">Input height and width (square), to size the first linear layer.</param>
    /// <param name="dropRate">Dropout probability after each block and in the head.</param>
    /// <param name="norm">Normalization after each convolution (BatchNorm by default, as the seeds).</param>
    /// <param name="blocks">How many of the four blocks (1 to 4): 4 is the seeds' network, 2 their early ablation's.</param>
    public SeedCnn(int numClasses = DefaultClasses, int inChannels = 3, int inputSize = 32, double dropRate = 0.2, NormSpec? norm = null, int blocks = 4) : base(nameof(SeedCnn))
    {
        if (blocks is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "SeedCnn has 1 to 4 blocks.");
        if (numClasses < 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "num_classes must be at least 0 (0: no classifier).");
        norm ??= NormSpec.Batch;
        NumClasses = numClasses;
        var stages = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = inChannels, size = inputSize;
        for (int b = 0; b < blocks; b++)
        {
            int w = Widths[b];
            stages.Add(($"block{b + 1}", nn.Sequential(
                ("conv1", nn.Conv2d(channels, w, 3, padding: 1, bias: false)),
                ("bn1", NormFactory.Create(norm, w)),
                ("relu1", nn.ReLU(inplace: true)),
                ("conv2", nn.Conv2d(w, w, 3, padding: 1, bias: false)),
                ("bn2", NormFactory.Create(norm, w)),
                ("relu2", nn.ReLU(inplace: true)),
                ("pool", nn.MaxPool2d(2)),
                ("drop", nn.Dropout(dropRate)))));
            channels = w;
            size /= 2;
        }
        if (size < 1) throw new ArgumentException($"SeedCnn with {blocks} blocks needs inputs of at least {1 << blocks}x{1 << blocks} ({blocks} 2x2 poolings); got {inputSize}x{inputSize}.");
        FlattenFeatures = channels * size * size;
        features = nn.Sequential(stages);
        var mlp = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(FlattenFeatures, 1024)),
            ("relu1", nn.ReLU(inplace: true)),
            ("drop1", nn.Dropout(dropRate)),
            ("fc2", nn.Linear(1024, FeatureWidth)),
            ("relu2", nn.ReLU(inplace: true)),
            ("drop2", nn.Dropout(dropRate)),
        };
        if (ClassifierHead.Create(FeatureWidth, numClasses, DefaultClasses) is { } fc3) mlp.Add(("fc3", fc3));
        classifier = nn.Sequential(mlp);
        RegisterComponents();
    }

    /// <summary>The seeds' network from the common options: num_classes (100), in_channels, input_size (32), drop_rate (0.2), norm.</summary>
    /// <param name="options">The common options.</param>
    /// <param name="blocks">How many of the four blocks (see the other constructor).</param>
    public SeedCnn(ModelOptions options, int blocks = 4)
        : this(options.NumClasses ?? DefaultClasses, options.InChannels, options.InputSize ?? 32, options.DropRate ?? 0.2, options.Norm, blocks)
    {
    }

    /// <summary>Width of the flattened features entering the head (2048 for 32x32 inputs).</summary>
    public int FlattenFeatures { get; }

    /// <inheritdoc/>
    public long NumFeatures => FeatureWidth;

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input) => ClassifierHead.ForwardWithout(classifier, "fc3", features.call(input));

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => classifier.call(features.call(input));
}
