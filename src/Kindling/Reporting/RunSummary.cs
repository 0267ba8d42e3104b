using Kindling.Training;

namespace Kindling.Reporting;

/// <summary>
/// summary.json: how a run ended. The final and best epochs' metrics in full, and the test split's
/// metrics (test_accuracy, ...) when the run was evaluated on one.
/// </summary>
public sealed record RunSummary
{
    public int EpochsRun { get; init; }
    public int BestEpoch { get; init; }

    /// <summary>The monitored metric's name (e.g. val_accuracy), when known.</summary>
    public string? Monitor { get; init; }

    public double? BestMetric { get; init; }
    public string EndReason { get; init; } = "";
    public long SkippedSteps { get; init; }

    /// <summary>Seconds from fit start to fit end in this process (a resumed run counts only its own part).</summary>
    public double WallSeconds { get; init; }

    /// <summary>Seconds spent in the recorded epochs, training and validation, across resumes.</summary>
    public double EpochSeconds { get; init; }

    public EpochMetrics? Final { get; init; }
    public EpochMetrics? Best { get; init; }

    public double? TestLoss { get; init; }
    public double? TestAccuracy { get; init; }
    public double? TestTopK { get; init; }
    public int? TestK { get; init; }
    public double? TestF1 { get; init; }
    public double? TestEce { get; init; }
    public long? TestSamples { get; init; }

    /// <summary>The test split's metrics by the task's names (loss, psnr, ...) for a task that is not a classifier; null otherwise.</summary>
    public IReadOnlyDictionary<string, double>? TestMetrics { get; init; }

    public string? BestCheckpoint { get; init; }
    public string? LastCheckpoint { get; init; }

    /// <summary>The summary of <paramref name="result"/>, with <paramref name="test"/>'s metrics when given.</summary>
    public static RunSummary From(FitResult result, EvalResult? test = null, string? monitor = null, double wallSeconds = 0) => new()
    {
        EpochsRun = result.History.Count,
        BestEpoch = result.BestEpoch,
        Monitor = monitor,
        BestMetric = result.BestMetric,
        EndReason = result.EndReason,
        SkippedSteps = result.SkippedSteps,
        WallSeconds = wallSeconds,
        EpochSeconds = result.History.Sum(e => e.Seconds),
        Final = result.History.Count > 0 ? result.History[^1] : null,
        Best = result.History.FirstOrDefault(e => e.Epoch == result.BestEpoch),
        TestLoss = test?.Loss,
        TestAccuracy = test?.Accuracy,
        TestTopK = test?.TopK,
        TestK = test?.K,
        TestF1 = test?.Report.Macro.F1,
        TestEce = test?.CalibrationError,
        TestSamples = test?.Samples,
        BestCheckpoint = result.BestCheckpoint,
        LastCheckpoint = result.LastCheckpoint,
    };
}
