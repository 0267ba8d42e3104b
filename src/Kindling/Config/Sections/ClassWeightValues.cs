namespace Kindling.Config.Sections;

/// <summary>
/// <c>loss.class_weight</c>: cross-entropy's class weights given as a list (one per class), or <c>balanced</c>
/// (scikit-learn's n_samples / (n_classes x count_c), computed from the training split when the run is built).
/// </summary>
public sealed record ClassWeightValues
{
    /// <summary>Balanced weights from the training split's class counts (<c>balanced</c> in a recipe).</summary>
    public static ClassWeightValues Balanced { get; } = new() { IsBalanced = true };

    /// <summary>Given weights, one per class.</summary>
    public static ClassWeightValues Of(params double[] values) => new() { Values = values };

    /// <summary>Whether the weights come from the training split's class counts.</summary>
    public bool IsBalanced { get; init; }

    /// <summary>The weights when not <see cref="IsBalanced"/>.</summary>
    public IReadOnlyList<double> Values { get; init; } = [];

    /// <summary>Value equality on the weights (a record compares lists by reference).</summary>
    public bool Equals(ClassWeightValues? other) => other is not null && IsBalanced == other.IsBalanced && Values.SequenceEqual(other.Values);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(IsBalanced, Values.Count);
}
