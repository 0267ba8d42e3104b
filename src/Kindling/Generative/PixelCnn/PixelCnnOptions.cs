namespace Kindling.Generative.PixelCnn;

/// <summary>The shape of a <see cref="PixelCnnNetwork"/>; the defaults are the seed's (7 layers of 64 channels, 7x7 kernels, 256 levels).</summary>
public sealed record PixelCnnOptions
{
    /// <summary>Masked convolutions: one of type A, then <c>Layers - 1</c> of type B each followed by a ReLU.</summary>
    public int Layers { get; init; } = 7;

    /// <summary>Channels of every hidden layer.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Side of the masked kernels (odd).</summary>
    public int KernelSize { get; init; } = 7;

    /// <summary>Pixel values per channel: a softmax over this many levels (256 for 8-bit images).</summary>
    public int Levels { get; init; } = 256;
}
