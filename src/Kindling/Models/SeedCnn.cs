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
/// (the seeds do not re-initialise).
/// </summary>
public sealed class SeedCnn : nn.Module<Tensor, Tensor>
{
    static readonly int[] Widths = { 64, 128, 256, 512 };
    readonly Sequential features;
    readonly Sequential classifier;

    /// <param name="numClasses">Number of output classes.</param>
    /// <param name="inChannels">Input channels (3 for RGB, 1 for grayscale).</param>
    /// <param name="inputSize">Input height and width (square), to size the first linear layer.</param>
    /// <param name="dropRate">Dropout probability after each block and in the head.</param>
    /// <param name="norm">Normalization after each convolution (BatchNorm by default, as the seeds).</param>
    public SeedCnn(int numClasses = 100, int inChannels = 3, int inputSize = 32, double dropRate = 0.2, NormSpec? norm = null) : base(nameof(SeedCnn))
    {
        norm ??= NormSpec.Batch;
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = inChannels, size = inputSize;
        for (int b = 0; b < Widths.Length; b++)
        {
            int w = Widths[b];
            blocks.Add(($"block{b + 1}", nn.Sequential(
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
        if (size < 1) throw new ArgumentException($"SeedCnn needs inputs of at least 16x16 (four 2x2 poolings); got {inputSize}x{inputSize}.");
        FlattenFeatures = channels * size * size;
        features = nn.Sequential(blocks);
        classifier = nn.Sequential(
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(FlattenFeatures, 1024)),
            ("relu1", nn.ReLU(inplace: true)),
            ("drop1", nn.Dropout(dropRate)),
            ("fc2", nn.Linear(1024, 512)),
            ("relu2", nn.ReLU(inplace: true)),
            ("drop2", nn.Dropout(dropRate)),
            ("fc3", nn.Linear(512, numClasses)));
        RegisterComponents();
    }

    /// <summary>The seeds' network from the common options: num_classes (100), in_channels, input_size (32), drop_rate (0.2), norm.</summary>
    public SeedCnn(ModelOptions options)
        : this(options.NumClasses ?? 100, options.InChannels, options.InputSize ?? 32, options.DropRate ?? 0.2, options.Norm)
    {
    }

    /// <summary>Width of the flattened features entering the head (2048 for 32x32 inputs).</summary>
    public int FlattenFeatures { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => classifier.call(features.call(input));
}
