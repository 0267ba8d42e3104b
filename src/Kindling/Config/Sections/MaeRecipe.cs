using Kindling.Config.Yaml;
using Kindling.SelfSupervised.Mae;

namespace Kindling.Config.Sections;

/// <summary>
/// The <c>mae</c> section (task: mae): the masked autoencoder's shape and objective. The image size and channels come from
/// the data (the resolved <c>model</c> section). Defaults are a small ViT for 28-32 px images on a CPU.
/// </summary>
public sealed record MaeRecipe
{
    /// <summary>Patch side; must divide the image side.</summary>
    public int PatchSize { get; init; } = 4;

    /// <summary>Fraction of patches removed per image (MAE: 0.75).</summary>
    public double MaskRatio { get; init; } = 0.75;

    /// <summary>Encoder width (a multiple of 4 and of heads).</summary>
    public int EmbedDim { get; init; } = 128;

    /// <summary>Encoder blocks.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Encoder heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Decoder width (a multiple of 4 and of decoder_heads).</summary>
    public int DecoderDim { get; init; } = 64;

    /// <summary>Decoder blocks.</summary>
    public int DecoderDepth { get; init; } = 2;

    /// <summary>Decoder heads.</summary>
    public int DecoderHeads { get; init; } = 4;

    /// <summary>MLP width of every block, as a multiple of its dimension.</summary>
    public double MlpRatio { get; init; } = 4;

    /// <summary>Per-patch normalized targets (MAE's norm_pix_loss).</summary>
    public bool NormPixLoss { get; init; } = true;

    /// <summary>The encoder's features for probes: mean (of the patch tokens) or cls (the class token).</summary>
    public string Features { get; init; } = "mean";

    /// <summary>The library options for images of <paramref name="channels"/> x <paramref name="size"/> x <paramref name="size"/>.</summary>
    public MaeOptions ToOptions(int channels, int size) => new()
    {
        ImageSize = size, Channels = channels, PatchSize = PatchSize, MaskRatio = MaskRatio, EmbedDim = EmbedDim, Depth = Depth, Heads = Heads,
        DecoderDim = DecoderDim, DecoderDepth = DecoderDepth, DecoderHeads = DecoderHeads, MlpRatio = MlpRatio, NormPixLoss = NormPixLoss, Features = Features,
    };

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(PatchSize >= 1, path + ".patch_size", PatchSize, "a patch side >= 1 that divides the image side");
        e.Check(MaskRatio is >= 0 and < 1, path + ".mask_ratio", MaskRatio, "a fraction in [0, 1) (MAE uses 0.75)");
        e.Check(EmbedDim >= 4 && EmbedDim % 4 == 0 && Heads >= 1 && EmbedDim % Heads == 0, path + ".embed_dim", EmbedDim, $"a multiple of 4 and of heads ({Heads})");
        e.Check(Depth >= 1, path + ".depth", Depth, "at least 1 block");
        e.Check(Heads >= 1, path + ".heads", Heads, "at least 1 head");
        e.Check(DecoderDim >= 4 && DecoderDim % 4 == 0 && DecoderHeads >= 1 && DecoderDim % DecoderHeads == 0, path + ".decoder_dim", DecoderDim, $"a multiple of 4 and of decoder_heads ({DecoderHeads})");
        e.Check(DecoderDepth >= 1, path + ".decoder_depth", DecoderDepth, "at least 1 block");
        e.Check(DecoderHeads >= 1, path + ".decoder_heads", DecoderHeads, "at least 1 head");
        e.Check(MlpRatio > 0, path + ".mlp_ratio", MlpRatio, "a ratio > 0 (ViT: 4)");
        e.Check(Features is "mean" or "cls", path + ".features", Features, "mean or cls");
    }
}
