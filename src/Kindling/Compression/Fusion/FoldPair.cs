namespace Kindling.Compression.Fusion;

/// <summary>A convolution or linear layer and the BatchNorm that directly follows it, by <c>named_modules()</c> path.</summary>
/// <param name="Layer">The convolution or linear layer (e.g. <c>features.block1.conv1</c>).</param>
/// <param name="Norm">The BatchNorm folded into it (e.g. <c>features.block1.bn1</c>).</param>
public sealed record FoldPair(string Layer, string Norm);
