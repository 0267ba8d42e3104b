using System.Diagnostics;
using System.Text.Json;
using Kindling.Training;
using Kindling.Training.Callbacks;

namespace Kindling.Reporting;

/// <summary>
/// Records a run into its <see cref="RunFolder"/>: one line of metrics.jsonl per epoch, written as the
/// epoch ends so a killed run keeps every finished epoch, and summary.json at the end. Call
/// <see cref="WriteSummary"/> again after evaluating a test split to add test_accuracy.
/// </summary>
public sealed class RunFolderCallback : ITrainerCallback
{
    readonly Stopwatch watch = new();

    /// <param name="folder">Where to write.</param>
    /// <param name="monitor">The metric that chooses the best epoch (recorded in summary.json).</param>
    public RunFolderCallback(RunFolder folder, string? monitor = null)
    {
        Folder = folder;
        Monitor = monitor;
    }

    public RunFolder Folder { get; }
    public string? Monitor { get; }

    /// <summary>The last validation result of the live model (not the EMA), for the report's per-class table.</summary>
    public EvalResult? LastValidation { get; private set; }

    /// <summary>The last validation result of the EMA model, when EMA is on.</summary>
    public EvalResult? LastEmaValidation { get; private set; }

    /// <summary>The fit's result once it ended.</summary>
    public FitResult? Result { get; private set; }

    /// <summary>The summary last written.</summary>
    public RunSummary? Summary { get; private set; }

    public void OnFitStart(TrainerState state)
    {
        watch.Restart();
        // On resume, drop lines of epochs after the checkpoint: they are run again and would appear twice.
        if (state.Epoch > 0 && File.Exists(Folder.MetricsPath))
        {
            var kept = Folder.ReadMetrics().Where(m => m.Epoch <= state.Epoch).Select(m => JsonSerializer.Serialize(m, RunJson.Line) + "\n");
            RunJson.WriteAtomic(Folder.MetricsPath, string.Concat(kept));
        }
        else if (state.Epoch == 0 && File.Exists(Folder.MetricsPath))
        {
            File.Delete(Folder.MetricsPath); // a fresh run in a reused folder starts a fresh log
        }
    }

    public void OnValidationEnd(TrainerState state, Training.Tasks.TaskValidation result, bool ema)
    {
        if (result.Details is not EvalResult eval) return;
        if (ema) LastEmaValidation = eval;
        else LastValidation = eval;
    }

    public void OnEpochEnd(TrainerState state, EpochMetrics metrics)
    {
        // Open, append, close: the line reaches the OS before the next epoch starts.
        File.AppendAllText(Folder.MetricsPath, JsonSerializer.Serialize(metrics, RunJson.Line) + "\n");
    }

    public void OnFitEnd(TrainerState state, FitResult result)
    {
        watch.Stop();
        Result = result;
        WriteSummary(result, null);
    }

    /// <summary>
    /// Writes summary.json for <paramref name="result"/>, with a classifier's test split metrics when <paramref name="test"/> is
    /// given, or any task's as <paramref name="testMetrics"/> (test_metrics, by the task's names).
    /// </summary>
    public RunSummary WriteSummary(FitResult result, EvalResult? test, IReadOnlyDictionary<string, double>? testMetrics = null)
    {
        // Checkpoints inside the folder are recorded relative to it, so a copied or moved folder still resolves them.
        Summary = RunSummary.From(result, test, Monitor, watch.Elapsed.TotalSeconds) with
        {
            TestMetrics = testMetrics,
            BestCheckpoint = Relative(result.BestCheckpoint),
            LastCheckpoint = Relative(result.LastCheckpoint),
        };
        RunJson.WriteAtomic(Folder.SummaryPath, JsonSerializer.Serialize(Summary, RunJson.Document));
        return Summary;
    }

    string? Relative(string? path)
    {
        if (path is null) return null;
        var relative = Path.GetRelativePath(Folder.Root, Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Replace('\\', '/');
    }
}
