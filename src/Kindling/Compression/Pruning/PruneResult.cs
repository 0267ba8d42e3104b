namespace Kindling.Compression.Pruning;

/// <summary>What <see cref="Pruner.Run"/> did and measured.</summary>
/// <param name="AccuracyBefore">Validation accuracy of the model as loaded.</param>
/// <param name="Steps">Each pruning step.</param>
/// <param name="AccuracyFinal">Validation accuracy of the final model (shrunk, for structured pruning).</param>
/// <param name="Sparsity">Weight sparsity with the masks applied (before channels are removed).</param>
/// <param name="ParametersBefore">Parameters of the model as loaded.</param>
/// <param name="ParametersAfter">Parameters of the final model.</param>
/// <param name="WidthsBefore">Conv output channels before.</param>
/// <param name="WidthsAfter">Conv output channels after (the recipe's model.channels for a shrunk model).</param>
public sealed record PruneResult(double AccuracyBefore, IReadOnlyList<PruneStep> Steps, double AccuracyFinal, SparsityReport Sparsity,
    long ParametersBefore, long ParametersAfter, IReadOnlyList<int> WidthsBefore, IReadOnlyList<int> WidthsAfter);
