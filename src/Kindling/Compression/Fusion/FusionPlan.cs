namespace Kindling.Compression.Fusion;

/// <summary>What <see cref="ModelFusion"/> folds, and the BatchNorms it leaves with the reason.</summary>
/// <param name="Pairs">Layer-BN pairs to fold, in forward order.</param>
/// <param name="Unfolded">BatchNorms that stay.</param>
public sealed record FusionPlan(IReadOnlyList<FoldPair> Pairs, IReadOnlyList<UnfoldedNorm> Unfolded);
