using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>The <c>gan</c> section (<c>task: gan</c>): which GAN, its noise, and the game's settings. Both players use the <c>optimizer</c> section.</summary>
public sealed record GanRecipe
{
    /// <summary>The known variants.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["mlp", "dcgan", "conditional", "projection", "acgan", "conditional_dcgan", "wgan_gp"];

    /// <summary>
    /// <c>mlp</c>: seed 004's GAN; <c>dcgan</c>: its DCGAN; <c>conditional</c>: its cGAN (MLP players with a label embedding);
    /// <c>projection</c>: the cGAN's generator against the seed's MLP discriminator conditioned by a projection of the label onto its
    /// features (Miyato and Koyama 2018) instead of a concatenated embedding;
    /// <c>acgan</c>: the cGAN's generator against the seed's MLP discriminator with a class head instead of a label input (AC-GAN);
    /// <c>conditional_dcgan</c>: the DCGAN's players, the generator reading the label's embedding with z (as the cGAN's) and the
    /// discriminator conditioned by projection;
    /// <c>wgan_gp</c>: the DCGAN generator against a critic without sigmoid, BatchNorm or dropout, Wasserstein loss with gradient penalty.
    /// </summary>
    public string Arch { get; init; } = "dcgan";

    /// <summary>The noise width (the seed's 100).</summary>
    public int Latent { get; init; } = 100;

    /// <summary>Discriminator (critic) steps per generator step; null: 5 for wgan_gp (the paper's), 1 otherwise (the seed's GAN).</summary>
    public int? NCritic { get; init; }

    /// <summary>WGAN-GP's gradient penalty weight lambda (the paper's and the seed's 10); only wgan_gp reads it.</summary>
    public double GpLambda { get; init; } = 10;

    /// <summary>One-sided label smoothing: the discriminator's target for real images (the seed's tip: 0.9; 1: none). Not read by wgan_gp.</summary>
    public double LabelSmoothing { get; init; } = 0.9;

    /// <summary>
    /// Eps of the generator's (and the DCGAN discriminator's) BatchNorms. The seed writes BatchNorm(n, 0.8), which is eps = 0.8 in
    /// PyTorch (meant as momentum); the default is PyTorch's 1e-5, and 0.8 reproduces the seed.
    /// </summary>
    public double BatchNormEps { get; init; } = 1e-5;

    /// <summary>
    /// Run the DCGAN generator's [Upsample x2, Conv 3x3] pairs as one transposed convolution each (Models/Blocks/NearestUpsampleConv):
    /// the same function and parameters, float rounding apart, about twice as fast. false: the seed's modules step by step.
    /// </summary>
    public bool FuseUpsampleConv { get; init; } = true;

    /// <summary>acgan's weight of the class cross-entropies against the real/fake loss (Odena et al.'s 1); only acgan reads it.</summary>
    public double ClassLossWeight { get; init; } = 1;

    /// <summary>Whether the generator is the DCGAN's, which upsamples a square map twice (square images, side divisible by 4).</summary>
    public bool UsesDcganGenerator => Arch is "dcgan" or "conditional_dcgan" or "wgan_gp";

    /// <summary>Whether the players are conditioned on the data's classes.</summary>
    public bool Conditional => Arch is "conditional" or "projection" or "acgan" or "conditional_dcgan";

    /// <summary>n_critic as trained: the given value, or the variant's default.</summary>
    public int ResolvedNCritic => NCritic ?? (Arch == "wgan_gp" ? 5 : 1);

    internal void Validate(RecipeErrors e, string path)
    {
        e.OneOf(path + ".arch", Arch, Architectures, "GAN architecture");
        e.Check(Latent >= 1, path + ".latent", Latent, "a noise width >= 1 (the seed's 100)");
        e.Check(NCritic is null or >= 1, path + ".n_critic", NCritic, "critic steps per generator step >= 1 (WGAN-GP's 5), or null for the variant's default");
        e.Check(GpLambda >= 0 && double.IsFinite(GpLambda), path + ".gp_lambda", GpLambda, "a penalty weight >= 0 (the paper's 10)");
        e.Check(LabelSmoothing is > 0 and <= 1, path + ".label_smoothing", LabelSmoothing, "the real images' target in (0, 1] (0.9 as the seed's tip; 1: no smoothing)");
        e.Check(ClassLossWeight > 0 && double.IsFinite(ClassLossWeight), path + ".class_loss_weight", ClassLossWeight, "a class loss weight > 0 (AC-GAN's 1)");
        e.Check(BatchNormEps > 0, path + ".batch_norm_eps", BatchNormEps, "an eps > 0 (PyTorch's 1e-5; the seed's 0.8)");
    }
}
