namespace Kindling.Generative.Diffusion;

/// <summary>The shape of a <see cref="DiffusionUNet"/>.</summary>
public sealed record DiffusionUNetOptions
{
    /// <summary>Channels of the first level; level l has Channels * ChannelMultipliers[l].</summary>
    public int Channels { get; init; } = 32;

    /// <summary>One entry per resolution, the last being the bottleneck: [1, 2, 2] is 28 -> 14 -> 7 for Fashion-MNIST (the seed has 64-128-256: Channels 64, [1, 2, 4]).</summary>
    public IReadOnlyList<int> ChannelMultipliers { get; init; } = [1, 2, 2];

    /// <summary>"sinusoidal" (the sinusoidal embedding through an MLP, added in every block) or "concat" (the seed's: an MLP of t / T expanded to a map and concatenated to the input).</summary>
    public string TimeEmbedding { get; init; } = "sinusoidal";

    /// <summary>Width of the sinusoidal encoding, or of the seed's concatenated time map (256 in the seed).</summary>
    public int TimeDim { get; init; } = 64;

    /// <summary>The time embedding choices.</summary>
    public static IReadOnlyList<string> TimeEmbeddings { get; } = ["sinusoidal", "concat"];
}
