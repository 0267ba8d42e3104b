namespace Kindling.Generative.Gan;

/// <summary>How a conditional discriminator uses the class of the image it scores.</summary>
public enum DiscriminatorConditioning
{
    /// <summary>The label's embedding concatenated to the input (seed 004's cGAN, Mirza and Osindero 2014).</summary>
    Concat,

    /// <summary>
    /// A projection (Miyato and Koyama 2018): the score is head(phi(x)) + embed(y) . phi(x), the label's embedding against the
    /// features the score is read from, so the class acts on what the discriminator has seen of the image.
    /// </summary>
    Projection,

    /// <summary>No label input; a second head classifies the image (AC-GAN, Odena et al. 2017).</summary>
    Auxiliary,
}
