namespace Kindling.Generative;

/// <summary>How <see cref="IImageGenerator.Generate"/> samples.</summary>
public sealed record GenerationOptions
{
    /// <summary>Seeds the sampling noise (a generator of its own: the global one is left alone).</summary>
    public long Seed { get; init; }

    /// <summary>The class to draw for a conditional generator; null: classes in turn (0, 1, ..., 0, 1, ...). Refused by an unconditional one.</summary>
    public int? Class { get; init; }

    /// <summary>Sampling steps where the model has a choice (DDIM); null: the model's default.</summary>
    public int? Steps { get; init; }

    /// <summary>
    /// The truncation trick (Brock et al. 2019): latent noise entries beyond plus or minus this are drawn again, so samples come from
    /// the dense middle of the prior, trading variety for fidelity. Read by models that decode a latent vector (GANs, the VAE);
    /// null: the plain standard normal.
    /// </summary>
    public double? Truncation { get; init; }

    /// <summary>Images generated per forward pass (memory bound); the result is the same whatever it is.</summary>
    public int BatchSize { get; init; } = 256;
}
