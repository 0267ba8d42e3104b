namespace Kindling.Compression.Pruning;

/// <summary>What <see cref="Pruner.Run"/> does.</summary>
public sealed record PruneOptions
{
    /// <summary>The final fraction to prune: of the weights (unstructured) or of every channel group's channels (structured).</summary>
    public double Amount { get; init; } = 0.5;

    /// <summary>Prune whole filters by their Ln norm and remove them (a smaller dense model); otherwise single weights by |w|.</summary>
    public bool Structured { get; init; }

    /// <summary>The norm's order for structured pruning (PyTorch's ln_structured n).</summary>
    public double N { get; init; } = 2;

    /// <summary>Unstructured: rank all conv and linear weights together (global_unstructured) instead of each layer alone.</summary>
    public bool Global { get; init; }

    /// <summary>Fine-tuning epochs after each pruning step (0: none).</summary>
    public int FinetuneEpochs { get; init; }

    /// <summary>
    /// Fine-tune on this many training images (a fixed random subset) instead of the whole training split; null: all.
    /// For a quick recovery on slow machines: the seed CNN's 45,000 CIFAR-10 images take an hour per epoch on two busy cores.
    /// </summary>
    public int? FinetuneSamples { get; init; }

    /// <summary>Pruning steps to reach <see cref="Amount"/> (the seeds' iterative pruning: prune a step, fine-tune, repeat).</summary>
    public int IterativeSteps { get; init; } = 1;

    /// <summary>The sparsity (fraction pruned) after step <paramref name="step"/> of <see cref="IterativeSteps"/>: equal increments to <see cref="Amount"/>.</summary>
    public double TargetAfter(int step) => Amount * step / IterativeSteps;

    /// <summary>Refuses out-of-range values and contradictory choices.</summary>
    /// <exception cref="ArgumentException">A value is out of range, or --global with --structured.</exception>
    public void Validate()
    {
        if (Amount is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Amount), Amount, "--amount must be a fraction in [0, 1).");
        if (!(N > 0)) throw new ArgumentOutOfRangeException(nameof(N), N, "--norm (the Ln order n) must be > 0 (or inf).");
        if (FinetuneEpochs < 0) throw new ArgumentOutOfRangeException(nameof(FinetuneEpochs), FinetuneEpochs, "--finetune-epochs must be >= 0.");
        if (FinetuneSamples is < 1) throw new ArgumentOutOfRangeException(nameof(FinetuneSamples), FinetuneSamples, "--finetune-samples must be >= 1.");
        if (IterativeSteps < 1) throw new ArgumentOutOfRangeException(nameof(IterativeSteps), IterativeSteps, "--iterative-steps must be >= 1.");
        if (Structured && Global) throw new ArgumentException("--global ranks single weights across layers; structured pruning prunes each channel group by its own filter norms. Use one or the other.");
    }
}
