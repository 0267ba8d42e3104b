using Kindling.Data.Datasets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Generative.Vae;

/// <summary>
/// Seed 004's VAE (1.1), layer for layer and with its names: fc1 (input, hidden) + ReLU, fc_mu and fc_logvar (hidden,
/// latent); fc3 (latent, hidden) + ReLU, fc4 (hidden, input) + sigmoid. The seed's sizes are 784-400-20; the input width
/// here follows the data (C*H*W), so the same model trains on 28x28 grey and 32x32 colour images.
/// </summary>
public sealed class MlpVae : VaeNetwork
{
    readonly Linear fc1, fc_mu, fc_logvar, fc3, fc4;

    /// <param name="shape">The images' shape (the seed's 1x28x28: 784 inputs).</param>
    /// <param name="hidden">The hidden width (the seed's 400).</param>
    /// <param name="latent">The latent dimension (the seed's 20).</param>
    public MlpVae(ImageShape shape, int hidden = 400, int latent = 20) : base(nameof(MlpVae), shape, latent)
    {
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "the hidden width must be at least 1.");
        fc1 = nn.Linear(shape.Size, hidden);
        fc_mu = nn.Linear(hidden, latent);
        fc_logvar = nn.Linear(hidden, latent);
        fc3 = nn.Linear(latent, hidden);
        fc4 = nn.Linear(hidden, shape.Size);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor Mu, Tensor LogVar) Encode(Tensor images)
    {
        // reshape, not view: a channels-last batch is not contiguous in NCHW order.
        var h = nn.functional.relu(fc1.forward(images.reshape(images.shape[0], -1)));
        return (fc_mu.forward(h), fc_logvar.forward(h));
    }

    /// <inheritdoc/>
    public override Tensor DecodeLogits(Tensor z) =>
        fc4.forward(nn.functional.relu(fc3.forward(z))).view(z.shape[0], Shape.Channels, Shape.Height, Shape.Width);
}
