using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>Stop when a validation metric stops improving.</summary>
public sealed record EarlyStoppingRecipe
{
    /// <summary>The metric watched.</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>min or max.</summary>
    public string Mode { get; init; } = "min";

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>Smallest change that counts as an improvement.</summary>
    public double MinDelta { get; init; }

    internal void Validate(RecipeErrors e, string path)
    {
        e.OneOf(path + ".mode", Mode, ["min", "max"], "mode");
        e.Check(Patience >= 1, path + ".patience", Patience, ">= 1");
        e.Check(MinDelta >= 0, path + ".min_delta", MinDelta, ">= 0");
    }
}
