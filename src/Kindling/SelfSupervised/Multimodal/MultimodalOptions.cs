namespace Kindling.SelfSupervised.Multimodal;

/// <summary>The multimodal demo's networks and loss (the recipe's <c>multimodal</c> section).</summary>
public sealed record MultimodalOptions
{
    /// <summary>Width of the joint embedding space (both encoders end there; embeddings are L2-normalized).</summary>
    public int EmbedDim { get; init; } = 64;

    /// <summary>Channels of the image encoder's first stage.</summary>
    public int ImageWidth { get; init; } = 32;

    /// <summary>Token width of the text encoder.</summary>
    public int TextDim { get; init; } = 64;

    /// <summary>Attention blocks of the text encoder.</summary>
    public int TextDepth { get; init; } = 2;

    /// <summary>Attention heads of the text encoder.</summary>
    public int TextHeads { get; init; } = 4;

    /// <summary>Margin of the contrastive loss: negatives are pushed this far apart (unit vectors are at most 2 apart).</summary>
    public double Margin { get; init; } = 1.0;
}
