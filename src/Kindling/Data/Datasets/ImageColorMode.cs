namespace Kindling.Data.Datasets;

/// <summary>How an image folder's pictures become channels.</summary>
public enum ImageColorMode
{
    /// <summary>Three channels (grayscale pictures are replicated, alpha is dropped), as PIL's <c>convert("RGB")</c>.</summary>
    Rgb,

    /// <summary>One channel, with PIL's <c>convert("L")</c> luma weights (299, 587, 114)/1000.</summary>
    Grayscale,

    /// <summary>One channel when every picture is grayscale, three otherwise.</summary>
    Auto,
}
