using static TorchSharp.torch;

namespace Kindling.Generative.Vae;

/// <summary>
/// Seed 004's VAE loss, per image: the reconstruction term -log p(x|z) as binary cross-entropy summed over the pixels,
/// and KL(q(z|x) || N(0, I)) = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)) summed over the latent dimensions. The negative
/// ELBO is their sum; beta-VAE weighs the KL by beta. All in nats.
/// </summary>
public static class VaeLoss
{
    /// <summary>
    /// Binary cross-entropy of the decoder's logits against the images (targets in [0, 1]), summed per image: [N]. The seed's
    /// <c>binary_cross_entropy(sigmoid(logits), x)</c> with the logits form's stable log-sigmoid (PyTorch clamps log(p) at -100 instead).
    /// </summary>
    public static Tensor Reconstruction(Tensor logits, Tensor images) =>
        nn.functional.binary_cross_entropy_with_logits(logits.to(float32), images.to(float32), reduction: nn.Reduction.None).flatten(1).sum(1);

    /// <summary>KL(N(mu, exp(logvar)) || N(0, I)) per image, summed over the latent dimensions: [N].</summary>
    public static Tensor Kl(Tensor mu, Tensor logVar)
    {
        var m = mu.to(float32);
        var lv = logVar.to(float32);
        return -0.5 * (1 + lv - m.square() - lv.exp()).sum(1);
    }
}
