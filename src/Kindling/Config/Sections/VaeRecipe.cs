using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>The <c>vae</c> section (<c>task: vae</c>): the network and the KL weight.</summary>
public sealed record VaeRecipe
{
    /// <summary>The known architectures.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["mlp", "conv"];

    /// <summary><c>mlp</c>: seed 004's VAE (input-hidden-latent, the input as wide as the data's C*H*W); <c>conv</c>: two stride-2 convolutions each way.</summary>
    public string Arch { get; init; } = "mlp";

    /// <summary>The latent dimension (the seed's 20).</summary>
    public int Latent { get; init; } = 20;

    /// <summary>The hidden width (the seed's 400 for mlp; the conv VAE's linear layer between convolutions and latent).</summary>
    public int Hidden { get; init; } = 400;

    /// <summary>The conv VAE's first convolution width (the second has twice as many); not read by mlp.</summary>
    public int Width { get; init; } = 32;

    /// <summary>The KL weight: 1 is the VAE, more is beta-VAE (the seed's example: 4).</summary>
    public double Beta { get; init; } = 1.0;

    internal void Validate(RecipeErrors e, string path)
    {
        e.OneOf(path + ".arch", Arch, Architectures, "VAE architecture");
        e.Check(Latent >= 1, path + ".latent", Latent, "a latent dimension >= 1 (the seed's 20)");
        e.Check(Hidden >= 1, path + ".hidden", Hidden, "a hidden width >= 1 (the seed's 400)");
        e.Check(Width >= 1, path + ".width", Width, "a channel count >= 1");
        e.Check(Beta >= 0 && double.IsFinite(Beta), path + ".beta", Beta, "a KL weight >= 0 (1: the VAE; more: beta-VAE)");
    }
}
