namespace Kindling.Training.Tasks;

/// <summary>A metric a task reports, by full name (train_loss, val_accuracy, ...), and whether higher is better.</summary>
public sealed record MetricSpec(string Name, bool HigherIsBetter)
{
    /// <summary>"max" or "min", as recipes write it.</summary>
    public string Mode => HigherIsBetter ? "max" : "min";

    public static MetricSpec Min(string name) => new(name, false);
    public static MetricSpec Max(string name) => new(name, true);

    /// <summary>The spec of <paramref name="name"/> among <paramref name="metrics"/> (ema_val_X as val_X), or null.</summary>
    public static MetricSpec? Find(IReadOnlyList<MetricSpec> metrics, string name)
    {
        var spec = metrics.FirstOrDefault(m => m.Name == name);
        if (spec is null && MetricName.Split(name) is ("ema_val", var baseName))
            spec = metrics.FirstOrDefault(m => m.Name == MetricName.Validation + baseName) is { } v ? v with { Name = name } : null;
        return spec;
    }

    /// <summary>
    /// The metric that picks the best checkpoint: <paramref name="name"/> (its direction from <paramref name="metrics"/> unless
    /// <paramref name="mode"/> gives one), else <paramref name="fallback"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not among the metrics (nor an engine metric), or the mode is not min/max.</exception>
    public static MetricSpec Resolve(IReadOnlyList<MetricSpec> metrics, MetricSpec fallback, string? name, string? mode)
    {
        if (mode is not (null or "min" or "max")) throw new ArgumentException($"monitor mode '{mode}' is not known: expected 'min' or 'max'.");
        if (name is null) return mode is null ? fallback : fallback with { HigherIsBetter = mode == "max" };
        var spec = Find(metrics, name) ?? (EpochMetrics.EngineNames.Contains(name) ? new MetricSpec(name, mode == "max") : null)
            ?? throw new ArgumentException($"the monitor '{name}' is not a metric of this task: expected one of {string.Join(", ", metrics.Select(m => m.Name))} (ema_val_* too with EMA).");
        return mode is null ? spec : spec with { HigherIsBetter = mode == "max" };
    }
}
