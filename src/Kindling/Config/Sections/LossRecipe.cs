using Kindling.Config.Yaml;

namespace Kindling.Config.Sections;

/// <summary>The <c>loss</c> section: cross-entropy's arguments.</summary>
public sealed record LossRecipe
{
    /// <summary>PyTorch's <c>label_smoothing</c>: the share of the target spread evenly over all classes.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>PyTorch's <c>weight</c>: <c>balanced</c> (from the training split's class counts, as scikit-learn) or one weight per class; null: all 1.</summary>
    public ClassWeightValues? ClassWeight { get; init; }

    internal void Validate(RecipeErrors e, string path)
    {
        e.Check(LabelSmoothing is >= 0 and < 1, path + ".label_smoothing", LabelSmoothing, "a value in [0, 1)");
        if (ClassWeight is { IsBalanced: false } w)
        {
            if (w.Values.Count == 0) e.Add(path + ".class_weight", "is empty; expected balanced or one weight per class.");
            foreach (var v in w.Values) e.Check(v >= 0 && double.IsFinite(v), path + ".class_weight", v, "finite values >= 0");
        }
    }
}
