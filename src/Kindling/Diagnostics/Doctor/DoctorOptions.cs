namespace Kindling.Diagnostics.Doctor;

/// <summary>Which checks run and their thresholds (the defaults are the usual rules of thumb).</summary>
public sealed record DoctorOptions
{
    /// <summary>Leave out the checks that train for many steps (overfit one batch, the LR range test).</summary>
    public bool SkipSlow { get; init; }

    /// <summary>BatchNorm batches smaller than this get noisy statistics (the seeds switch to GroupNorm below it).</summary>
    public int MinBatchNormBatch { get; init; } = 16;

    /// <summary>A layer with more than this fraction of ReLU units zero for the whole batch is reported.</summary>
    public double DeadReluFraction { get; init; } = 0.5;

    /// <summary>The most frequent class more than this many times the least frequent one is reported.</summary>
    public double ImbalanceRatio { get; init; } = 10;

    /// <summary>The initial loss outside [ln C / factor, ln C x factor] is reported.</summary>
    public double InitialLossFactor { get; init; } = 2;

    /// <summary>Optimizer steps of the overfit-one-batch test.</summary>
    public int OverfitSteps { get; init; } = 200;

    /// <summary>Samples of the batch the overfit test trains on (the first training batch, cut to this).</summary>
    public int OverfitBatch { get; init; } = 16;

    /// <summary>The overfit test passes when the loss falls below this fraction of its first value (and the batch is all right).</summary>
    public double OverfitLossRatio { get; init; } = 0.1;

    /// <summary>
    /// The schedule's peak learning rate more than this many times the rate where the LR range test's loss bottoms
    /// out is reported. One-cycle peaks sit near that minimum by design (the default recipe's 0.2 is 1.2x it), so
    /// only a rate well past it, where the loss has been rising for a while, counts as far above.
    /// </summary>
    public double LrAboveMinimum { get; init; } = 3;

    /// <summary>Steps of the LR range test the learning-rate check runs.</summary>
    public int LrFinderSteps { get; init; } = 100;

    /// <summary>Samples compared between the training and the eval transform.</summary>
    public int PreprocessingSamples { get; init; } = 64;
}
