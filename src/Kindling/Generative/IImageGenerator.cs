using static TorchSharp.torch;

namespace Kindling.Generative;

/// <summary>
/// A trained task that makes images: a VAE or GAN from its prior, PixelCNN pixel by pixel, a diffusion model by denoising. What
/// the sample grids, <c>kindling sample</c>, FID and class coverage read, whatever the model.
/// </summary>
public interface IImageGenerator
{
    /// <summary>The number of classes a conditional generator takes (<see cref="GenerationOptions.Class"/>); 0 for an unconditional one.</summary>
    int ConditionalClasses { get; }

    /// <summary>
    /// <paramref name="count"/> new images, float [count, C, H, W] on the CPU, in the space of the training batches (after the
    /// recipe's normalize: <see cref="GeneratedImages.ToPixels"/> turns them into [0, 1] pixels). Runs in inference mode with the
    /// modules in eval mode, and puts their modes back; the same options and seed give the same images.
    /// </summary>
    Tensor Generate(int count, GenerationOptions options);
}
