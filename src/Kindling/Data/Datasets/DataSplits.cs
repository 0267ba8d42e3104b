namespace Kindling.Data.Datasets;

/// <summary>The splits a data set offers, as opened from a <see cref="DataSpec"/> or a reader.</summary>
/// <param name="Name">What this is, e.g. "cifar10:/data/cifar-10-batches-bin".</param>
/// <param name="Train">The training split.</param>
/// <param name="Test">The test split, where the format has one (image folders do not).</param>
/// <param name="Classes">Class names by label, shared by the splits; empty when the data set has no labels.</param>
public sealed record DataSplits(string Name, IImageDataset Train, IImageDataset? Test, IReadOnlyList<string> Classes);
