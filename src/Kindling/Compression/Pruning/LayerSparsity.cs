namespace Kindling.Compression.Pruning;

/// <summary>One layer's weight sparsity.</summary>
/// <param name="Name">The weight's parameter name (e.g. <c>features.block1.conv1.weight</c>).</param>
/// <param name="Shape">The weight's shape.</param>
/// <param name="Parameters">Its entries.</param>
/// <param name="Zeros">How many are exactly zero.</param>
public sealed record LayerSparsity(string Name, long[] Shape, long Parameters, long Zeros)
{
    /// <summary>Zeros / Parameters.</summary>
    public double Sparsity => Parameters == 0 ? 0 : (double)Zeros / Parameters;
}
