using Kindling.Data.Datasets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Vae;

/// <summary>
/// A convolutional VAE: the encoder halves the side twice with 4x4 stride-2 convolutions (width, 2*width channels, ReLU),
/// then a hidden linear layer and the mu/logvar heads; the decoder mirrors it with transposed convolutions back to the
/// image's side. The side must be divisible by 4 (28 and 32 are).
/// </summary>
public sealed class ConvVae : VaeNetwork
{
    readonly Sequential encoder, decoder;
    readonly Linear fc_mu, fc_logvar;

    /// <param name="shape">The images' shape; height and width divisible by 4.</param>
    /// <param name="width">Channels of the first convolution (the second has twice as many).</param>
    /// <param name="hidden">The hidden width between the convolutions and the latent.</param>
    /// <param name="latent">The latent dimension.</param>
    public ConvVae(ImageShape shape, int width = 32, int hidden = 256, int latent = 20) : base(nameof(ConvVae), shape, latent)
    {
        if (shape.Height % 4 != 0 || shape.Width % 4 != 0)
            throw new ArgumentException($"the convolutional VAE halves the side twice, so it needs a height and width divisible by 4; the images are {shape}.");
        if (width < 1 || hidden < 1) throw new ArgumentOutOfRangeException(nameof(width), "width and hidden must be at least 1.");
        long h4 = shape.Height / 4, w4 = shape.Width / 4, flat = 2L * width * h4 * w4;
        encoder = nn.Sequential(
            ("conv1", nn.Conv2d(shape.Channels, width, 4, stride: 2, padding: 1)), ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(width, 2 * width, 4, stride: 2, padding: 1)), ("relu2", nn.ReLU()),
            ("flatten", nn.Flatten()), ("fc", nn.Linear(flat, hidden)), ("relu3", nn.ReLU()));
        fc_mu = nn.Linear(hidden, latent);
        fc_logvar = nn.Linear(hidden, latent);
        decoder = nn.Sequential(
            ("fc1", nn.Linear(latent, hidden)), ("relu1", nn.ReLU()),
            ("fc2", nn.Linear(hidden, flat)), ("relu2", nn.ReLU()),
            ("unflatten", nn.Unflatten(1, [2L * width, h4, w4])),
            ("deconv1", nn.ConvTranspose2d(2 * width, width, 4, stride: 2, padding: 1)), ("relu3", nn.ReLU()),
            ("deconv2", nn.ConvTranspose2d(width, shape.Channels, 4, stride: 2, padding: 1)));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor Mu, Tensor LogVar) Encode(Tensor images)
    {
        var h = encoder.forward(images);
        return (fc_mu.forward(h), fc_logvar.forward(h));
    }

    /// <inheritdoc/>
    public override Tensor DecodeLogits(Tensor z) => decoder.forward(z);
}
