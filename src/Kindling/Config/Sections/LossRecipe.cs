using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>The <c>loss</c> section: cross-entropy's arguments.</summary>
public sealed record LossRecipe
{
    /// <summary>PyTorch's <c>label_smoothing</c>: the share of the target spread evenly over all classes.</summary>
    public double LabelSmoothing { get; init; }

    internal void Validate(RecipeErrors e, string path) =>
        e.Check(LabelSmoothing is >= 0 and < 1, path + ".label_smoothing", LabelSmoothing, "a value in [0, 1)");
}
