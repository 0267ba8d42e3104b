using Kindling.Models.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Models;

/// <summary>
/// A small Vision Transformer (Dosovitskiy et al. 2021) for later self-supervised work: a strided
/// convolution cuts the image into p x p patches and embeds each in D dimensions (<c>patch_embed</c>), a
/// class token and learned position embeddings are added (<c>embed</c>), <c>depth</c> pre-norm
/// <see cref="TransformerBlock"/>s with stochastic depth increasing linearly, a final LayerNorm, and the
/// classifier reads the class token. The default (<c>vit-tiny-cifar</c>) is ViT-Tiny's width (D 192,
/// 3 heads, 12 blocks) with 4x4 patches, so 32x32 images give 64 tokens. Its features
/// (<see cref="IFeatureModel"/>) are the normed class token (D) after the head's dropout; headless there is no head.
/// </summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>, IFeatureModel
{
    const int DefaultClasses = 100;

    readonly Conv2d patch_embed;
    readonly TokenEmbedding embed;
    readonly Sequential blocks;
    readonly LayerNorm norm;
    readonly Dropout? head_drop;
    readonly Linear? head;

    /// <summary>Patch size used when <see cref="ModelOptions.PatchSize"/> is not set.</summary>
    public const int DefaultPatchSize = 4;
    /// <summary>Blocks used when <see cref="ModelOptions.Depth"/> is not set.</summary>
    public const int DefaultDepth = 12;
    /// <summary>Heads used when <see cref="ModelOptions.Heads"/> is not set.</summary>
    public const int DefaultHeads = 3;
    /// <summary>Embedding dimension used when <see cref="ModelOptions.EmbedDim"/> is not set.</summary>
    public const int DefaultEmbedDim = 192;

    /// <param name="options">Common options plus patch_size, depth, heads, embed_dim; InputSize defaults to 32, NumClasses to 100 (0: no head).</param>
    public VisionTransformer(ModelOptions options) : base(nameof(VisionTransformer))
    {
        int size = options.InputSize ?? 32, patch = options.PatchSize ?? DefaultPatchSize;
        int depth = options.Depth ?? DefaultDepth, heads = options.Heads ?? DefaultHeads, dim = options.EmbedDim ?? DefaultEmbedDim;
        if (patch < 1 || size % patch != 0)
            throw new ArgumentException($"The ViT's patch size ({patch}) must divide the input size ({size}).");
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(options), depth, "The ViT needs at least one block (depth >= 1).");
        patch_embed = nn.Conv2d(options.InChannels, dim, patch, stride: patch);
        embed = new TokenEmbedding((long)(size / patch) * (size / patch), dim);
        var rates = StochasticDepth.LinearRates(options.DropPathRate, depth);
        blocks = nn.Sequential(rates.Select(r => (nn.Module<Tensor, Tensor>)new TransformerBlock(dim, heads, dropPath: r)).ToList());
        norm = nn.LayerNorm(dim, eps: 1e-6);
        double dropRate = options.DropRate ?? 0;
        head_drop = dropRate > 0 ? nn.Dropout(dropRate) : null;
        NumFeatures = dim;
        NumClasses = options.NumClasses ?? DefaultClasses;
        // The trunk is initialised before the head exists, so a headless build draws exactly the trunk of a headed one.
        foreach (var (_, m) in blocks.named_modules())
            if (m is Linear l) InitLinear(l);
        head = NumClasses > 0 ? InitLinear(nn.Linear(dim, NumClasses)) : null;
        RegisterComponents();
    }

    // timm's ViT init: linear weights truncated normal (std 0.02), biases 0; LayerNorm keeps 1 / 0.
    static Linear InitLinear(Linear linear)
    {
        using var _ = torch.no_grad();
        ModelInit.TruncNormal(linear.weight, std: 0.02);
        if (linear.bias is not null) nn.init.zeros_(linear.bias);
        return linear;
    }

    /// <summary>The class-token features after the final norm, (B, D): the representation self-supervised heads use
    /// (<see cref="ForwardFeatures"/> without the head's dropout).</summary>
    public Tensor Features(Tensor input)
    {
        var x = norm.call(blocks.call(embed.call(patch_embed.call(input))));
        return x.select(1, 0);
    }

    /// <inheritdoc/>
    public long NumFeatures { get; }

    /// <inheritdoc/>
    public int NumClasses { get; }

    /// <inheritdoc/>
    public Tensor ForwardFeatures(Tensor input)
    {
        var x = Features(input);
        return head_drop is null ? x : head_drop.call(x);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => ClassifierHead.Apply(head, ForwardFeatures(input));
}
