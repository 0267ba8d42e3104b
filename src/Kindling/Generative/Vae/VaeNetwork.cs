using Kindling.Data.Datasets;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.Generative.Vae;

/// <summary>
/// A VAE's two halves: the encoder q(z|x) as the mean and log-variance of a diagonal Gaussian, and the decoder p(x|z) as
/// Bernoulli logits per pixel (the seed's <c>sigmoid(fc4(h))</c> before its sigmoid, so the loss can use the stable
/// binary cross-entropy with logits).
/// </summary>
public abstract class VaeNetwork : nn.Module
{
    /// <param name="name">The module's name.</param>
    /// <param name="shape">The images' shape.</param>
    /// <param name="latent">The latent dimension.</param>
    protected VaeNetwork(string name, ImageShape shape, int latent) : base(name)
    {
        if (latent < 1) throw new ArgumentOutOfRangeException(nameof(latent), latent, "the latent dimension must be at least 1.");
        Shape = shape;
        Latent = latent;
    }

    /// <summary>The images' shape.</summary>
    public ImageShape Shape { get; }

    /// <summary>The latent dimension.</summary>
    public int Latent { get; }

    /// <summary>q(z|x): images [N, C, H, W] to (mu, logvar), each [N, Latent].</summary>
    public abstract (Tensor Mu, Tensor LogVar) Encode(Tensor images);

    /// <summary>p(x|z): latents [N, Latent] to Bernoulli logits [N, C, H, W].</summary>
    public abstract Tensor DecodeLogits(Tensor z);

    /// <summary>The decoded images: sigmoid of the logits (the seed's <c>decode</c>), [N, C, H, W] in [0, 1].</summary>
    public Tensor Decode(Tensor z) => DecodeLogits(z).sigmoid();

    /// <summary>The reparameterization trick: z = mu + sigma * eps with eps ~ N(0, I), so sampling is differentiable in mu and logvar.</summary>
    /// <param name="mu">The posterior means.</param>
    /// <param name="logVar">The posterior log-variances.</param>
    /// <param name="generator">Draws eps; null: libtorch's global generator (what training uses, so resume restores it).</param>
    public static Tensor Reparameterize(Tensor mu, Tensor logVar, Generator? generator = null)
    {
        var std = (0.5 * logVar).exp();
        var eps = generator is null ? randn_like(std) : randn(std.shape, dtype: std.dtype, generator: generator).to(std.device);
        return mu + eps * std;
    }
}
