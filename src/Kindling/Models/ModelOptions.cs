using Kindling.Models.Blocks;

namespace Kindling.Models;

/// <summary>
/// The options every model in <see cref="ModelRegistry"/> takes (timm's common arguments), plus the
/// family options. A null value means "the family's default"; setting an option a family does not
/// support is an error from <see cref="ModelRegistry.Create"/>, never silently ignored.
/// </summary>
public sealed record ModelOptions
{
    /// <summary>
    /// Output classes (null: the family default, 100 for CIFAR-style models, 1000 for ImageNet ones). 0 builds the
    /// model without its classifier (headless, timm's <c>num_classes=0</c>): forward returns the (N, F) features of
    /// <see cref="IFeatureModel"/>, for encoders (self-supervised learning) and discriminators.
    /// </summary>
    public int? NumClasses { get; init; }

    /// <summary>Input channels: 3 for RGB, 1 for grayscale.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>
    /// Input height and width (square). Only models with a size-dependent layer use it (seed-cnn's first
    /// linear layer, the ViT's position embeddings); the others pool globally and take any size.
    /// </summary>
    public int? InputSize { get; init; }

    /// <summary>
    /// Dropout probability (null: the family default). Before the classifier in most families; in
    /// seed-cnn after each block and in the head; inside each residual block in WideResNet (the paper's).
    /// </summary>
    public double? DropRate { get; init; }

    /// <summary>Stochastic depth: the last residual block's drop probability; earlier blocks increase linearly from 0.</summary>
    public double DropPathRate { get; init; }

    /// <summary>Normalization: batch, group(G) or none (null: the family default, BatchNorm).</summary>
    public NormSpec? Norm { get; init; }

    /// <summary>Zero the scale of the last normalization in each residual branch, so every block starts as the identity.</summary>
    public bool ZeroInitLastBn { get; init; }

    /// <summary>MobileNetV2: width multiplier α applied to every layer's channels (rounded to multiples of 8).</summary>
    public double? WidthMultiplier { get; init; }

    /// <summary>Depth: total layers of a WideResNet (6n+4, e.g. 28) or transformer blocks of a ViT.</summary>
    public int? Depth { get; init; }

    /// <summary>WideResNet: widen factor k.</summary>
    public int? WidenFactor { get; init; }

    /// <summary>SE-ResNet: reduction ratio r of the squeeze-and-excitation bottleneck.</summary>
    public int? SeReduction { get; init; }

    /// <summary>ViT: patch size in pixels.</summary>
    public int? PatchSize { get; init; }

    /// <summary>ViT: attention heads per block.</summary>
    public int? Heads { get; init; }

    /// <summary>ViT: embedding dimension.</summary>
    public int? EmbedDim { get; init; }

    /// <summary>The names (snake_case, as in configs) of the options set away from their defaults.</summary>
    public IEnumerable<string> ExplicitOptions()
    {
        if (DropPathRate != 0) yield return "drop_path_rate";
        if (Norm is not null) yield return "norm";
        if (ZeroInitLastBn) yield return "zero_init_last_bn";
        if (WidthMultiplier is not null) yield return "width_multiplier";
        if (Depth is not null) yield return "depth";
        if (WidenFactor is not null) yield return "widen_factor";
        if (SeReduction is not null) yield return "se_reduction";
        if (PatchSize is not null) yield return "patch_size";
        if (Heads is not null) yield return "heads";
        if (EmbedDim is not null) yield return "embed_dim";
    }
}
