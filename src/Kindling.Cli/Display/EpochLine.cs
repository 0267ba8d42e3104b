using System.Globalization;
using Kindling.Training;

namespace Kindling.Cli.Display;

/// <summary>The one-line epoch summary both displays print, like the seeds' "Epoch 50 finished / Training - Loss ... / Validation - ...".</summary>
static class EpochLine
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Format(EpochMetrics m, int epochs)
    {
        var parts = new List<string> { $"epoch {m.Epoch}/{epochs}" };
        var split = m.Values.Select(kv => (Name: MetricName.Split(kv.Key), kv.Value)).ToList();
        foreach (var (group, label) in Groups)
        {
            var values = split.Where(x => x.Name.Split == group).Select(x => Value(x.Name.Base, x.Value)).OfType<string>().ToList();
            if (values.Count > 0) parts.Add($"{label} {string.Join(" ", values)}");
        }
        parts.Add(string.Format(C, "lr {0:0.###e+0}", m.LearningRate));
        parts.Add(string.Format(C, "{0:F1}s", m.Seconds));
        if (m.SkippedSteps > 0) parts.Add($"{m.SkippedSteps} skipped steps");
        return string.Join(" | ", parts) + (m.Best ? " | best" : "");
    }

    static readonly (string Split, string Label)[] Groups = [("train", "train"), ("val", "val"), ("ema_val", "EMA")];

    // A classifier's familiar short forms; any other metric by its own name. top_k stays in the report, not the line.
    static string? Value(string name, double value) => name switch
    {
        "accuracy" => string.Format(C, "acc {0:P2}", value),
        "f1" => string.Format(C, "F1 {0:F3}", value),
        "top_k" => null,
        _ => string.Format(C, "{0} {1:F4}", name, value),
    };

    public static string Step(BatchInfo b) => $"step {b.Batch}/{b.Batches} {Running(b)}";

    /// <summary>The epoch's running metrics, the learning rate and the speed, e.g. "loss 1.4596 acc 58.80 % lr 1.085e-2 1,589 img/s".</summary>
    public static string Running(BatchInfo b) =>
        string.Join(" ", b.Running.Select(kv => Value(kv.Key, kv.Value)).OfType<string>()) +
        string.Format(C, " lr {0:0.###e+0} {1:N0} img/s", b.LearningRate, b.ImagesPerSecond);
}
