using Kindling.Data.BatchMix;

namespace Kindling.Training.Tasks;

/// <summary>What a classifier's training measures and optimizes beyond the engine: label smoothing, batch mixing, top-k.</summary>
public sealed record ClassificationOptions
{
    /// <summary>Cross-entropy's label smoothing (PyTorch's label_smoothing).</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Cross-entropy's class weights (PyTorch's weight, one per class; e.g. <see cref="Losses.ClassWeights.Balanced"/>); null: all 1. Training loss only: validation reports the plain loss.</summary>
    public IReadOnlyList<double>? ClassWeights { get; init; }

    /// <summary>Batch-level Mixup/CutMix; null: none.</summary>
    public IBatchMix? BatchMix { get; init; }

    /// <summary>The k of the top-k accuracy reported.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>The classification settings carried by the trainer's options (the short form <c>Trainer.Fit(model, ...)</c>).</summary>
    public static ClassificationOptions From(TrainerOptions o) => new() { LabelSmoothing = o.LabelSmoothing, BatchMix = o.BatchMix, TopK = o.TopK };
}
