namespace Kindling.Training.Tasks;

/// <summary>A metric a task reports, by full name (train_loss, val_accuracy, ...), and whether higher is better.</summary>
public sealed record MetricSpec(string Name, bool HigherIsBetter)
{
    /// <summary>"max" or "min", as recipes write it.</summary>
    public string Mode => HigherIsBetter ? "max" : "min";

    public static MetricSpec Min(string name) => new(name, false);
    public static MetricSpec Max(string name) => new(name, true);
}
