namespace Kindling.Generative.Gan;

/// <summary>How a <see cref="GanTask"/> trains its two players.</summary>
public sealed record GanOptions
{
    /// <summary>The game: BCE (GAN, DCGAN, cGAN) or Wasserstein with gradient penalty.</summary>
    public GanLoss Loss { get; init; } = GanLoss.Bce;

    /// <summary>Discriminator (critic) steps per generator step: the generator steps once every this many critic steps.</summary>
    public int NCritic { get; init; } = 1;

    /// <summary>The gradient penalty's weight lambda (WGAN-GP's 10); only for <see cref="GanLoss.Wasserstein"/>.</summary>
    public double GpLambda { get; init; } = 10;

    /// <summary>
    /// One-sided label smoothing (Salimans et al. 2016; seed 004's tip 1): the discriminator's target for real images. 1 turns it
    /// off; fakes keep target 0 and the generator's target stays 1. Only for <see cref="GanLoss.Bce"/>.
    /// </summary>
    public double RealLabel { get; init; } = 0.9;

    /// <summary>
    /// The weight of the class losses when the discriminator classifies images (AC-GAN, Odena et al. 2017): the discriminator adds
    /// the cross-entropy of real and generated images' classes, the generator that of its images' asked classes. Only read then.
    /// </summary>
    public double ClassLossWeight { get; init; } = 1;

    /// <summary>Seeds the fixed noise validation scores the generator with.</summary>
    public long ValidationSeed { get; init; } = 20_240_601;

    /// <summary>Throws for values out of range.</summary>
    public void Validate()
    {
        if (NCritic < 1) throw new ArgumentOutOfRangeException(nameof(NCritic), NCritic, "n_critic must be at least 1.");
        if (!(GpLambda >= 0) || double.IsInfinity(GpLambda)) throw new ArgumentOutOfRangeException(nameof(GpLambda), GpLambda, "the gradient penalty weight must be >= 0.");
        if (!(ClassLossWeight > 0) || double.IsInfinity(ClassLossWeight)) throw new ArgumentOutOfRangeException(nameof(ClassLossWeight), ClassLossWeight, "the class loss weight must be > 0 (AC-GAN's 1).");
        if (RealLabel is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(RealLabel), RealLabel, "the real label must be in (0, 1] (1: no smoothing).");
    }
}
