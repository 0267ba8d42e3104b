using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>An exponential moving average of the weights, evaluated alongside the model.</summary>
public sealed record EmaRecipe
{
    /// <summary>Decay per optimizer step.</summary>
    public double Decay { get; init; } = 0.999;

    /// <summary>Ramp the decay up over the first steps so the average does not remember the random init.</summary>
    public bool Warmup { get; init; } = true;

    internal void Validate(RecipeErrors e, string path) =>
        e.Check(Decay is > 0 and < 1, path + ".decay", Decay, "a value in (0, 1)");
}
