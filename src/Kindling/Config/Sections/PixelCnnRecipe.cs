using Kindling.Config.Yaml;
using Kindling.Generative.PixelCnn;

namespace Kindling.Config.Sections;

/// <summary>
/// The <c>pixelcnn</c> section (task: pixelcnn): the PixelCNN's shape. The defaults are the seed's network (a type A masked
/// 7x7 convolution, six type B ones each with a ReLU, 64 channels, a 256-way softmax per pixel).
/// </summary>
public sealed record PixelCnnRecipe
{
    /// <summary>Masked convolutions: one of type A, then layers - 1 of type B.</summary>
    public int Layers { get; init; } = 7;

    /// <summary>Channels of every hidden layer.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Side of the masked kernels (odd).</summary>
    public int KernelSize { get; init; } = 7;

    /// <summary>Pixel levels per channel (the softmax's width): 256 for 8-bit images; fewer quantizes the pixels.</summary>
    public int Levels { get; init; } = 256;

    /// <summary>The network options.</summary>
    public PixelCnnOptions ToOptions() => new() { Layers = Layers, Channels = Channels, KernelSize = KernelSize, Levels = Levels };

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(Layers >= 1, path + ".layers", Layers, ">= 1 (a type A layer, then type B ones)");
        e.Check(Channels >= 1, path + ".channels", Channels, ">= 1");
        e.Check(KernelSize >= 1 && KernelSize % 2 == 1, path + ".kernel_size", KernelSize, "an odd size >= 1 (the seed's is 7)");
        e.Check(Levels is >= 2 and <= 256, path + ".levels", Levels, "2 .. 256 pixel levels (256 for 8-bit images)");
    }
}
