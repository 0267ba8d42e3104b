namespace Kindling.Tuning.BatchSize;

/// <summary>How the batch-size finder probes: doubling from <see cref="Start"/> to at most <see cref="Max"/>.</summary>
public sealed record BatchSizeFinderOptions
{
    /// <summary>The first batch size tried.</summary>
    public int Start { get; init; } = 16;

    /// <summary>The largest batch size tried (also capped by the training set's size).</summary>
    public int Max { get; init; } = 1024;

    /// <summary>CPU: the bytes a training step may take above what the process holds before it; null: <see cref="BudgetFraction"/> of the memory available when the search starts.</summary>
    public long? MemoryBudgetBytes { get; init; }

    /// <summary>The share of available memory used when no budget is given.</summary>
    public double BudgetFraction { get; init; } = 0.8;

    /// <summary>Untimed steps before timing each size (the first step allocates optimizer state and warms caches).</summary>
    public int WarmupSteps { get; init; } = 1;

    /// <summary>Timed steps per size, for images/s.</summary>
    public int TimedSteps { get; init; } = 3;

    /// <summary>After an out-of-memory failure, bisection steps between the last size that fitted and the one that failed.</summary>
    public int Refinements { get; init; } = 3;

    /// <summary>Larger batches "stop paying" at the smallest size within this share of the best throughput.</summary>
    public double KneeFraction { get; init; } = 0.9;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public BatchSizeFinderOptions Validate()
    {
        if (Start < 1) throw new ArgumentException($"the first batch size must be >= 1; got {Start}.");
        if (Max < Start) throw new ArgumentException($"the largest batch size ({Max}) must be at least the first ({Start}).");
        if (MemoryBudgetBytes is <= 0) throw new ArgumentException($"the memory budget must be > 0 bytes; got {MemoryBudgetBytes}.");
        if (BudgetFraction is <= 0 or > 1) throw new ArgumentException($"the budget fraction must be in (0, 1]; got {BudgetFraction}.");
        if (WarmupSteps < 0 || TimedSteps < 1) throw new ArgumentException($"warm-up steps must be >= 0 and timed steps >= 1; got {WarmupSteps} and {TimedSteps}.");
        if (Refinements < 0) throw new ArgumentException($"refinements must be >= 0; got {Refinements}.");
        if (KneeFraction is <= 0 or > 1) throw new ArgumentException($"the knee fraction must be in (0, 1]; got {KneeFraction}.");
        return this;
    }
}
