namespace Kindling.Models.Blocks;

/// <summary>Which normalization a convolutional model uses after its convolutions.</summary>
public enum NormKind
{
    /// <summary>BatchNorm2d: statistics over the batch; the default and what the references use.</summary>
    Batch,
    /// <summary>GroupNorm(G): statistics per sample over channel groups, independent of the batch size.</summary>
    Group,
    /// <summary>No normalization (Identity); convolutions keep their bias-free form.</summary>
    None,
}
