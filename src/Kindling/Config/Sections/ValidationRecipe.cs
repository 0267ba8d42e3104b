using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>Where validation comes from: a stratified holdout of the training split, or the test split.</summary>
public sealed record ValidationRecipe
{
    /// <summary>Images held out of the training split: a count (>= 1) or a fraction (below 1); 0: validate on the test split.</summary>
    public double Holdout { get; init; }

    /// <summary>Seed of the holdout's draw; fixed so every run of a recipe holds out the same images.</summary>
    public int Seed { get; init; }

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(Holdout >= 0 && (Holdout < 1 || Holdout == Math.Floor(Holdout)), path + ".holdout", Holdout, "0 (use the test split), a fraction in (0, 1) or a whole count >= 1");
    }
}
