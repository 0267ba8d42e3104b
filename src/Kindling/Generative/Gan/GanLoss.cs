namespace Kindling.Generative.Gan;

/// <summary>The adversarial game a <see cref="GanTask"/> plays.</summary>
public enum GanLoss
{
    /// <summary>The original minimax game with the non-saturating generator loss: binary cross-entropy on the discriminator's logits.</summary>
    Bce,

    /// <summary>WGAN-GP: the critic maximises E[D(real)] - E[D(fake)] under the gradient penalty; the generator maximises E[D(fake)].</summary>
    Wasserstein,
}
