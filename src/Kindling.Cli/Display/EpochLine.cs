using System.Globalization;
using Kindling.Training;

namespace Kindling.Cli.Display;

/// <summary>The one-line epoch summary both displays print, like the seeds' "Epoch 50 finished / Training - Loss ... / Validation - ...".</summary>
static class EpochLine
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Format(EpochMetrics m, int epochs)
    {
        var parts = new List<string>
        {
            $"epoch {m.Epoch}/{epochs}",
            string.Format(C, "train loss {0:F4} acc {1:P2}", m.TrainLoss, m.TrainAccuracy),
        };
        if (m.ValLoss is double vl) parts.Add(string.Format(C, "val loss {0:F4} acc {1:P2} F1 {2:F3}", vl, m.ValAccuracy ?? 0, m.ValF1 ?? 0));
        if (m.EmaValAccuracy is double ema) parts.Add(string.Format(C, "EMA acc {0:P2}", ema));
        parts.Add(string.Format(C, "lr {0:0.###e+0}", m.LearningRate));
        parts.Add(string.Format(C, "{0:F1}s", m.Seconds));
        if (m.SkippedSteps > 0) parts.Add($"{m.SkippedSteps} skipped steps");
        return string.Join(" | ", parts) + (m.Best ? " | best" : "");
    }

    public static string Step(BatchInfo b) => string.Format(C, "step {0}/{1} loss {2:F4} acc {3:P2} lr {4:0.###e+0} {5:N0} img/s",
        b.Batch, b.Batches, b.RunningLoss, b.RunningAccuracy, b.LearningRate, b.ImagesPerSecond);
}
