namespace Kindling.Losses;

/// <summary>Class weights for an imbalanced training set, for <see cref="CrossEntropy"/>'s weight.</summary>
public static class ClassWeights
{
    /// <summary>
    /// scikit-learn's <c>class_weight="balanced"</c>: n_samples / (n_classes x count_c), so every class contributes the
    /// same total weight and a class twice as rare weighs twice as much.
    /// </summary>
    /// <param name="counts">Samples per class in the training split.</param>
    /// <exception cref="ArgumentException">A class has no samples (its weight would be infinite), or there are no classes.</exception>
    public static double[] Balanced(IReadOnlyList<int> counts)
    {
        if (counts.Count == 0) throw new ArgumentException("no classes: balanced weights need the samples per class.", nameof(counts));
        for (int c = 0; c < counts.Count; c++)
            if (counts[c] <= 0)
                throw new ArgumentException($"class {c} has no training samples, so its balanced weight would be infinite: give the weights as a list, or add samples of that class.", nameof(counts));
        double total = counts.Sum(c => (double)c);
        return counts.Select(c => total / (counts.Count * (double)c)).ToArray();
    }
}
