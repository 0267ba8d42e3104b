namespace Kindling.Compression.Pruning;

/// <summary>One pruning step's outcome.</summary>
/// <param name="Step">1-based step.</param>
/// <param name="Target">The fraction pruned after this step.</param>
/// <param name="AccuracyAfterPrune">Validation accuracy right after pruning.</param>
/// <param name="AccuracyAfterFinetune">Validation accuracy after fine-tuning; null without fine-tuning.</param>
/// <param name="FinetuneSeconds">Time spent fine-tuning.</param>
public sealed record PruneStep(int Step, double Target, double AccuracyAfterPrune, double? AccuracyAfterFinetune, double FinetuneSeconds);
