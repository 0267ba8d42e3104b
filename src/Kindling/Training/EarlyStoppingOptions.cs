namespace Kindling.Training;

/// <summary>
/// Early stopping on a metric: stop after <see cref="Patience"/> epochs without an improvement above <see cref="MinDelta"/>.
/// A recipe's <c>training.early_stopping</c> section binds to it directly (its keys are these properties' names).
/// </summary>
public sealed record EarlyStoppingOptions
{
    public EarlyStoppingOptions() { }

    public EarlyStoppingOptions(string monitor, string mode = "min", int patience = 5, double minDelta = 0)
    {
        Monitor = monitor;
        Mode = mode;
        Patience = patience;
        MinDelta = minDelta;
    }

    /// <summary>The metric watched (any the task reports).</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>"min" or "max".</summary>
    public string Mode { get; init; } = "min";

    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; init; }
}
