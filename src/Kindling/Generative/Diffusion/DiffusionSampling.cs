namespace Kindling.Generative.Diffusion;

/// <summary>How a <see cref="DiffusionTask"/> samples by default.</summary>
public sealed record DiffusionSampling
{
    /// <summary>"ddim" (the default: deterministic with eta 0, few steps) or "ancestral" (DDPM: every one of the T steps, fresh noise each).</summary>
    public string Sampler { get; init; } = "ddim";

    /// <summary>DDIM steps when <see cref="GenerationOptions.Steps"/> does not say.</summary>
    public int Steps { get; init; } = 50;

    /// <summary>DDIM's eta: 0 is deterministic (the same start noise gives the same image); 1 adds DDPM-like noise.</summary>
    public double Eta { get; init; }

    /// <summary>Clip each step's prediction of x_0 to the data's range (pixels 0 .. 1 through the recipe's normalize), as DDPM's sampler does.</summary>
    public bool ClipDenoised { get; init; } = true;

    /// <summary>The samplers.</summary>
    public static IReadOnlyList<string> Samplers { get; } = ["ddim", "ancestral"];
}
