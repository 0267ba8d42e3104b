namespace Kindling.Training;

/// <summary>
/// How the engine names a task's metrics: what the step logs gets train_, what validation measures val_, and the EMA
/// weights' validation ema_val_ (train_loss, val_accuracy, ema_val_f1). Reporting splits them back the same way.
/// </summary>
public static class MetricName
{
    public const string Train = "train_", Validation = "val_", EmaValidation = "ema_val_";

    /// <summary>The split a metric belongs to ("train", "val", "ema_val"; null for the engine's own) and its name without it.</summary>
    public static (string? Split, string Base) Split(string metric)
    {
        // ema_val_ before val_: it ends with it.
        foreach (var prefix in (ReadOnlySpan<string>)[EmaValidation, Train, Validation])
            if (metric.StartsWith(prefix, StringComparison.Ordinal)) return (prefix[..^1], metric[prefix.Length..]);
        return (null, metric);
    }
}
