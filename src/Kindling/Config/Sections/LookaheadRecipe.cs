using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>Lookahead around the optimizer (Zhang et al. 2019): k fast steps, then the slow weights move alpha of the way.</summary>
public sealed record LookaheadRecipe
{
    /// <summary>Fast steps per slow update.</summary>
    public int K { get; init; } = 5;

    /// <summary>Slow weights' step towards the fast ones.</summary>
    public double Alpha { get; init; } = 0.5;

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(K >= 1, path + ".k", K, ">= 1");
        e.Check(Alpha is > 0 and <= 1, path + ".alpha", Alpha, "a value in (0, 1]");
    }
}
