using System.Text.Json.Serialization;

namespace Kindling.Training;

/// <summary>
/// One epoch's results: one line of metrics.jsonl. <see cref="Values"/> holds the task's metrics by name, in the order
/// they were measured (train_*, then val_*, then ema_val_*), so reporting needs no knowledge of any task; the rest is
/// what the engine measures for every task.
/// </summary>
[JsonConverter(typeof(EpochMetricsJson))]
public sealed record EpochMetrics
{
    public int Epoch { get; init; }

    /// <summary>The task's metrics by name (train_loss, val_accuracy, train_d_loss, ...), in measurement order.</summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = new Dictionary<string, double>();

    /// <summary>The first optimizer's first parameter group's learning rate at the end of the epoch.</summary>
    public double LearningRate { get; init; }

    /// <summary>The mean pre-clip gradient norm of the first optimizer's steps; null when not measured.</summary>
    public double? GradNorm { get; init; }

    public long SkippedSteps { get; init; }
    public double Seconds { get; init; }

    /// <summary>Samples per second of training (validation excluded).</summary>
    public double ImagesPerSecond { get; init; }

    public bool Best { get; init; }

    /// <summary>A metric by name (one of <see cref="Values"/>, or learning_rate, grad_norm, skipped_steps, seconds, images_per_second); null when not measured.</summary>
    public double? Get(string name) => Values.TryGetValue(name, out var v) ? v : name switch
    {
        "learning_rate" => LearningRate,
        "grad_norm" => GradNorm,
        "skipped_steps" => SkippedSteps,
        "seconds" => Seconds,
        "images_per_second" => ImagesPerSecond,
        _ => null,
    };

    /// <summary>Equal when every field and every metric (name, order and value) is: a line read back equals the one written.</summary>
    public bool Equals(EpochMetrics? other) =>
        other is not null && Epoch == other.Epoch && LearningRate.Equals(other.LearningRate) && Nullable.Equals(GradNorm, other.GradNorm)
        && SkippedSteps == other.SkippedSteps && Seconds.Equals(other.Seconds) && ImagesPerSecond.Equals(other.ImagesPerSecond) && Best == other.Best
        && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(Epoch, LearningRate, Values.Count, Best);

    /// <summary>The metric names the engine adds to every epoch, beside the task's.</summary>
    public static readonly IReadOnlyList<string> EngineNames = ["learning_rate", "grad_norm", "skipped_steps", "seconds", "images_per_second"];
}
