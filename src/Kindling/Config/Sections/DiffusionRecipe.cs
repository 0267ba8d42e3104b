using Kindling.Config.Yaml;
using Kindling.Generative.Diffusion;

namespace Kindling.Config.Sections;

/// <summary>
/// The <c>diffusion</c> section (task: diffusion): the noise schedule, the U-Net and the default sampler of a DDPM.
/// </summary>
public sealed record DiffusionRecipe
{
    /// <summary>T: diffusion steps.</summary>
    public int Timesteps { get; init; } = 1000;

    /// <summary>The beta schedule: <c>cosine</c> (Nichol and Dhariwal, clipped to 0.999).</summary>
    public string Schedule { get; init; } = "cosine";

    /// <summary>Channels of the U-Net's first level.</summary>
    public int Channels { get; init; } = 32;

    /// <summary>Channels per level as multiples of <see cref="Channels"/>, the last being the bottleneck; the image side must be a multiple of 2^(count - 1).</summary>
    public IReadOnlyList<int> ChannelMultipliers { get; init; } = [1, 2, 2];

    /// <summary><c>sinusoidal</c> (added in every block, the default) or <c>concat</c> (the seed's time map concatenated to the input).</summary>
    public string TimeEmbedding { get; init; } = "sinusoidal";

    /// <summary>Width of the sinusoidal encoding, or of the seed's time map with <c>concat</c> (the seed's is 256).</summary>
    public int TimeDim { get; init; } = 64;

    /// <summary>The default sampler: <c>ddim</c> or <c>ancestral</c> (all T steps).</summary>
    public string Sampler { get; init; } = "ddim";

    /// <summary>DDIM steps when a sampling command does not say (--steps).</summary>
    public int SamplingSteps { get; init; } = 50;

    /// <summary>DDIM's eta: 0 deterministic, 1 DDPM-like noise.</summary>
    public double Eta { get; init; }

    /// <summary>Clip each step's predicted x_0 to the pixels' range.</summary>
    public bool ClipDenoised { get; init; } = true;

    /// <summary>The schedules.</summary>
    public static IReadOnlyList<string> Schedules { get; } = ["cosine"];

    /// <summary>The U-Net options.</summary>
    public DiffusionUNetOptions ToUNetOptions() => new() { Channels = Channels, ChannelMultipliers = ChannelMultipliers, TimeEmbedding = TimeEmbedding.Trim().ToLowerInvariant(), TimeDim = TimeDim };

    /// <summary>The default sampling.</summary>
    public DiffusionSampling ToSampling() => new() { Sampler = Sampler.Trim().ToLowerInvariant(), Steps = SamplingSteps, Eta = Eta, ClipDenoised = ClipDenoised };

    /// <summary>The noise schedule.</summary>
    public NoiseSchedule ToSchedule() => NoiseSchedule.Cosine(Timesteps);

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(Timesteps >= 1, path + ".timesteps", Timesteps, ">= 1 (DDPM uses 1000)");
        e.OneOf(path + ".schedule", Schedule, Schedules, "schedule");
        e.Check(Channels >= 1, path + ".channels", Channels, ">= 1");
        e.Check(ChannelMultipliers.Count >= 2 && ChannelMultipliers.All(m => m >= 1), path + ".channel_multipliers", ChannelMultipliers,
            "at least two multipliers >= 1 (one per resolution, the last the bottleneck), e.g. [1, 2, 2]");
        e.OneOf(path + ".time_embedding", TimeEmbedding, DiffusionUNetOptions.TimeEmbeddings, "time embedding");
        e.Check(TimeDim >= 2 && (!Sinusoidal || TimeDim % 2 == 0), path + ".time_dim", TimeDim,
            Sinusoidal ? "an even width >= 2 (sin and cos halves)" : "a width >= 2");
        e.OneOf(path + ".sampler", Sampler, DiffusionSampling.Samplers, "sampler");
        e.Check(SamplingSteps >= 1 && SamplingSteps <= Timesteps, path + ".sampling_steps", SamplingSteps, $"1 .. timesteps ({Timesteps})");
        e.Check(Eta >= 0 && double.IsFinite(Eta), path + ".eta", Eta, ">= 0 (0: deterministic DDIM)");
    }

    bool Sinusoidal => TimeEmbedding.Trim().Equals("sinusoidal", StringComparison.OrdinalIgnoreCase);

    // Value equality for the list, so a recipe read back from a checkpoint equals the default section.
    public bool Equals(DiffusionRecipe? other) =>
        other is not null && Timesteps == other.Timesteps && Schedule == other.Schedule && Channels == other.Channels
        && ChannelMultipliers.SequenceEqual(other.ChannelMultipliers) && TimeEmbedding == other.TimeEmbedding && TimeDim == other.TimeDim
        && Sampler == other.Sampler && SamplingSteps == other.SamplingSteps && Eta.Equals(other.Eta) && ClipDenoised == other.ClipDenoised;

    public override int GetHashCode() => HashCode.Combine(Timesteps, Channels, ChannelMultipliers.Count, TimeEmbedding, SamplingSteps);
}
