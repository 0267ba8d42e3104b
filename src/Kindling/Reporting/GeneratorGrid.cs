using Kindling.Generative;
using static TorchSharp.torch;

namespace Kindling.Reporting;

/// <summary>
/// What a grid of any <see cref="IImageGenerator"/>'s samples shows: <c>count</c> images in rows of 8, or for a conditional
/// generator asked for no class, one row per class (the same noise seed in every row, so a column shares its noise).
/// </summary>
public static class GeneratorGrid
{
    /// <summary>The samples as [0, 1] pixels [N, C, H, W] on the CPU, and the images per row to lay them out with.</summary>
    /// <param name="generator">Any trained generator.</param>
    /// <param name="count">Images; for a conditional generator without a class, rounded up to a whole row per class.</param>
    /// <param name="options">Seed, class, steps.</param>
    /// <param name="mean">The recipe's normalize mean, undone to get pixels.</param>
    /// <param name="std">The recipe's normalize std.</param>
    /// <param name="nrow">Images per row when not one row per class.</param>
    public static (Tensor Pixels, int Nrow) Sample(IImageGenerator generator, int count, GenerationOptions options, IReadOnlyList<double> mean, IReadOnlyList<double> std, int nrow = 8)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "sample at least one image.");
        using var scope = NewDisposeScope();
        Tensor images;
        if (generator.ConditionalClasses > 0 && options.Class is null)
        {
            int perClass = (count + generator.ConditionalClasses - 1) / generator.ConditionalClasses;
            images = cat(Enumerable.Range(0, generator.ConditionalClasses).Select(k => generator.Generate(perClass, options with { Class = k })).ToList(), 0);
            nrow = perClass;
        }
        else images = generator.Generate(count, options);
        return (GeneratedImages.ToPixels(images, mean, std).MoveToOuterDisposeScope(), nrow);
    }
}
