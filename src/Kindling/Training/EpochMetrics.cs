namespace Kindling.Training;

/// <summary>One epoch's results: one line of metrics.jsonl.</summary>
public sealed record EpochMetrics
{
    public int Epoch { get; init; }
    public double TrainLoss { get; init; }
    public double TrainAccuracy { get; init; }
    public double? ValLoss { get; init; }
    public double? ValAccuracy { get; init; }
    public double? ValTopK { get; init; }
    public double? ValF1 { get; init; }
    public double? EmaValLoss { get; init; }
    public double? EmaValAccuracy { get; init; }
    public double LearningRate { get; init; }
    public double? GradNorm { get; init; }
    public long SkippedSteps { get; init; }
    public double Seconds { get; init; }
    public double ImagesPerSecond { get; init; }
    public bool Best { get; init; }

    /// <summary>A metric by its recipe name (train_loss, val_accuracy, ema_val_accuracy, ...), or null when not measured.</summary>
    public double? Get(string name) => name switch
    {
        "train_loss" => TrainLoss,
        "train_accuracy" => TrainAccuracy,
        "val_loss" => ValLoss,
        "val_accuracy" => ValAccuracy,
        "val_top_k" => ValTopK,
        "val_f1" => ValF1,
        "ema_val_loss" => EmaValLoss,
        "ema_val_accuracy" => EmaValAccuracy,
        _ => throw new ArgumentException($"metric '{name}' is not known: expected train_loss, train_accuracy, val_loss, val_accuracy, val_top_k, val_f1, ema_val_loss or ema_val_accuracy."),
    };
}
