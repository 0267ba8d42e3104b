using System.Text.Json;
using Kindling.Reporting;

namespace Kindling.Tuning.BatchSize;

/// <summary>The batch size chosen and everything tried on the way.</summary>
/// <param name="BatchSize">The largest batch size that fitted (memory, budget, max).</param>
/// <param name="Method">How it was searched: "cuda" (doubling until out of memory, then bisection) or "cpu" (peak memory against the budget).</param>
/// <param name="Limit">What stopped the search: "max", "data set size", "memory budget" or "out of memory".</param>
/// <param name="Probes">Every size tried, in order.</param>
/// <param name="Fit">CPU: the peak memory's line in the batch size; null with fewer than two measured sizes.</param>
/// <param name="MemoryBudgetBytes">CPU: the budget the fit was held to.</param>
public sealed record BatchSizeResult(int BatchSize, string Method, string Limit, IReadOnlyList<BatchSizeProbe> Probes, MemoryFit? Fit, long? MemoryBudgetBytes)
{
    /// <summary>The largest batch the fitted line allows within the budget (may be beyond the sizes tried); null without a fit.</summary>
    public int? BudgetAllows => Fit is { } f && MemoryBudgetBytes is long b ? f.MaxBatchSize(b) : null;

    /// <summary>Where larger batches stop paying: the smallest size that fitted with at least <paramref name="fraction"/> of the best images/s.</summary>
    public int? ThroughputKnee(double fraction = 0.9)
    {
        var ran = Probes.Where(p => p.Fits && p.ImagesPerSecond is not null).ToList();
        if (ran.Count == 0) return null;
        double best = ran.Max(p => p.ImagesPerSecond!.Value);
        return ran.Where(p => p.ImagesPerSecond >= fraction * best).Min(p => p.BatchSize);
    }

    /// <summary>The probes, fit and choice as indented JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunJson.Document);

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> through a temporary file.</summary>
    public void SaveJson(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        RunJson.WriteAtomic(path, ToJson());
    }
}
