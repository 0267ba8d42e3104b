namespace Kindling.SelfSupervised.Mae;

/// <summary>A masked autoencoder's shape and objective (the recipe's <c>mae</c> section binds to the same names).</summary>
public sealed record MaeOptions
{
    /// <summary>Image side (square images).</summary>
    public int ImageSize { get; init; } = 32;

    /// <summary>Image channels.</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Patch side p; must divide the image side.</summary>
    public int PatchSize { get; init; } = 4;

    /// <summary>Fraction of patches removed per image (MAE: 0.75).</summary>
    public double MaskRatio { get; init; } = 0.75;

    /// <summary>Encoder width D (a multiple of 4 and of <see cref="Heads"/>).</summary>
    public int EmbedDim { get; init; } = 192;

    /// <summary>Encoder blocks.</summary>
    public int Depth { get; init; } = 6;

    /// <summary>Encoder heads.</summary>
    public int Heads { get; init; } = 3;

    /// <summary>Decoder width (a multiple of 4 and of <see cref="DecoderHeads"/>).</summary>
    public int DecoderDim { get; init; } = 128;

    /// <summary>Decoder blocks.</summary>
    public int DecoderDepth { get; init; } = 2;

    /// <summary>Decoder heads.</summary>
    public int DecoderHeads { get; init; } = 4;

    /// <summary>MLP width of every block as a multiple of its dimension.</summary>
    public double MlpRatio { get; init; } = 4;

    /// <summary>Targets normalized per patch (each patch minus its mean, over its standard deviation), MAE's norm_pix_loss.</summary>
    public bool NormPixLoss { get; init; } = true;

    /// <summary>
    /// The encoder's features for probes and fine-tuning: "mean" (the mean of the patch tokens after the final norm, MAE's
    /// global pooling) or "cls" (the class token after the final norm, what the MAE paper's linear probe reads).
    /// </summary>
    public string Features { get; init; } = "mean";
}
