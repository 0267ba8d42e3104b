using Kindling.Config.Yaml;
using Kindling.SelfSupervised.Multimodal;

namespace Kindling.Config.Sections;

/// <summary>
/// The <c>multimodal</c> section (task: multimodal): the image and text encoders of the alignment demo and the margin of its
/// contrastive loss. Binds to <see cref="MultimodalOptions"/>'s names.
/// </summary>
public sealed record MultimodalRecipe
{
    /// <summary>Width of the joint embedding space.</summary>
    public int EmbedDim { get; init; } = 64;

    /// <summary>Channels of the image encoder's first stage.</summary>
    public int ImageWidth { get; init; } = 32;

    /// <summary>Token width of the text encoder.</summary>
    public int TextDim { get; init; } = 64;

    /// <summary>Attention blocks of the text encoder.</summary>
    public int TextDepth { get; init; } = 2;

    /// <summary>Attention heads of the text encoder.</summary>
    public int TextHeads { get; init; } = 4;

    /// <summary>Margin of the contrastive loss (embeddings are unit vectors, at most 2 apart).</summary>
    public double Margin { get; init; } = 1.0;

    /// <summary>The library options.</summary>
    public MultimodalOptions ToOptions() => new()
    {
        EmbedDim = EmbedDim, ImageWidth = ImageWidth, TextDim = TextDim, TextDepth = TextDepth, TextHeads = TextHeads, Margin = Margin,
    };

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(EmbedDim >= 1, path + ".embed_dim", EmbedDim, "a width >= 1");
        e.Check(ImageWidth >= 1, path + ".image_width", ImageWidth, "a channel count >= 1");
        e.Check(TextDim >= 1 && TextHeads >= 1 && TextDim % TextHeads == 0, path + ".text_dim", TextDim, $"a multiple of text_heads ({TextHeads})");
        e.Check(TextDepth >= 1, path + ".text_depth", TextDepth, "at least 1 block");
        e.Check(TextHeads >= 1, path + ".text_heads", TextHeads, "at least 1 head");
        e.Check(Margin > 0 && Margin <= 2, path + ".margin", Margin, "a margin in (0, 2] (unit vectors are at most 2 apart)");
    }
}
