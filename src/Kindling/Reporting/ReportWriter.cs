using System.Globalization;
using System.Text;
using Kindling.Training;

namespace Kindling.Reporting;

/// <summary>
/// Writes report.md: what a person reads after a run. The recipe, the environment, final and best
/// metrics, why training ended, the per-class table, calibration, and the plots linked relatively so
/// the report renders wherever the folder is copied.
/// </summary>
public static class ReportWriter
{
    /// <summary>Writes the report of the run in <paramref name="folder"/> and returns its text.</summary>
    /// <param name="folder">The run folder; config.yaml, environment.json and plots/*.png are read from it when present.</param>
    /// <param name="summary">The run's summary (see <see cref="RunFolderCallback.WriteSummary"/>).</param>
    /// <param name="evaluation">The split whose per-class table and calibration are shown: the test split when there is one, else the last validation.</param>
    /// <param name="evaluationName">That split's name, as the report shows it ("test", "validation").</param>
    /// <param name="classNames">One name per class, in label order.</param>
    /// <param name="title">The report's heading; defaults to the folder's name.</param>
    public static string Write(RunFolder folder, RunSummary summary, EvalResult? evaluation = null, string evaluationName = "validation",
        IReadOnlyList<string>? classNames = null, string? title = null)
    {
        var text = Render(folder, summary, evaluation, evaluationName, classNames, title);
        RunJson.WriteAtomic(folder.ReportPath, text);
        return text;
    }

    /// <summary>The report's Markdown, without writing it.</summary>
    public static string Render(RunFolder folder, RunSummary summary, EvalResult? evaluation = null, string evaluationName = "validation",
        IReadOnlyList<string>? classNames = null, string? title = null)
    {
        var md = new StringBuilder();
        Line(md, $"# {title ?? "Run " + Path.GetFileName(folder.Root)}");
        md.AppendLine();
        if (folder.ReadEnvironment() is { } env)
        {
            Line(md, $"Started {env.StartTime:yyyy-MM-dd HH:mm:ss zzz}; {env.Summary()}.");
            md.AppendLine();
            Line(md, $"Command: `{env.CommandLine}`");
            md.AppendLine();
        }

        md.AppendLine("## Results");
        md.AppendLine();
        Line(md, $"Ended: {summary.EndReason} after {summary.EpochsRun} epochs ({Duration(summary.EpochSeconds)} in epochs, {Duration(summary.WallSeconds)} wall).");
        if (summary.BestEpoch > 0)
            Line(md, $"Best epoch: {summary.BestEpoch}{(summary.Monitor is null ? "" : $" by {summary.Monitor}")}{(summary.BestMetric is double b ? $" = {b:F4}" : "")}.");
        if (summary.SkippedSteps > 0) Line(md, $"Skipped optimizer steps (non-finite loss or gradients): {summary.SkippedSteps}.");
        md.AppendLine();
        md.AppendLine("| metric | final | best epoch |");
        md.AppendLine("|---|---|---|");
        // Every metric the task measured, in its order: the report knows no task.
        var names = (summary.Final?.Values.Keys ?? []).Concat(summary.Best?.Values.Keys ?? []).Distinct();
        foreach (var name in names)
            Line(md, $"| {MetricLabel(name)} | {Number(summary.Final?.Get(name))} | {Number(summary.Best?.Get(name))} |");
        md.AppendLine();
        if (summary.TestAccuracy is double testAccuracy)
        {
            Line(md, $"Test: accuracy **{testAccuracy:F4}**, loss {Number(summary.TestLoss)}, top-{summary.TestK ?? 5} {Number(summary.TestTopK)}, macro F1 {Number(summary.TestF1)}, ECE {Number(summary.TestEce)} on {summary.TestSamples} images.");
            md.AppendLine();
        }

        if (summary.TestMetrics is { Count: > 0 } testMetrics)
        {
            Line(md, $"Test: {string.Join(", ", testMetrics.Select(kv => $"{MetricLabel(kv.Key)} {kv.Value:F4}"))}.");
            md.AppendLine();
        }

        if (evaluation is not null)
        {
            Line(md, $"## Per class ({evaluationName})");
            md.AppendLine();
            md.AppendLine("| class | precision | recall | F1 | support |");
            md.AppendLine("|---|---|---|---|---|");
            var perClass = evaluation.Report.PerClass;
            for (int c = 0; c < perClass.Count; c++)
            {
                var name = classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
                Line(md, $"| {name} | {perClass[c].Precision:F3} | {perClass[c].Recall:F3} | {perClass[c].F1:F3} | {perClass[c].Support} |");
            }
            var macro = evaluation.Report.Macro;
            var weighted = evaluation.Report.Weighted;
            Line(md, $"| **macro avg** | {macro.Precision:F3} | {macro.Recall:F3} | {macro.F1:F3} | {macro.Support} |");
            Line(md, $"| **weighted avg** | {weighted.Precision:F3} | {weighted.Recall:F3} | {weighted.F1:F3} | {weighted.Support} |");
            md.AppendLine();
            md.AppendLine("## Calibration");
            md.AppendLine();
            Line(md, $"Expected calibration error ({evaluation.Calibration.Bins} bins, {evaluationName}): {evaluation.CalibrationError:F4}. Bars under the diagonal of the reliability diagram are over-confident bins.");
            md.AppendLine();
        }

        // A generative run's samples: the final grid shown on its own; the per-epoch grids stay in plots/ (one per epoch).
        if (File.Exists(Path.Combine(folder.PlotsDir, "samples.png")))
        {
            md.AppendLine("## Samples");
            md.AppendLine();
            md.AppendLine("![generated samples](plots/samples.png)");
            md.AppendLine();
            Line(md, $"Grids after each epoch (same seed): plots/samples-epoch-NNN.png.");
            md.AppendLine();
        }

        var plots = PlotOrder.Where(p => File.Exists(Path.Combine(folder.PlotsDir, p.File))).ToList();
        var others = Directory.Exists(folder.PlotsDir)
            ? Directory.GetFiles(folder.PlotsDir, "*.png").Select(Path.GetFileName).OfType<string>()
                .Where(f => PlotOrder.All(p => p.File != f) && !f.StartsWith("samples", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
        if (plots.Count + others.Count > 0)
        {
            md.AppendLine("## Plots");
            md.AppendLine();
            foreach (var (file, caption) in plots) Line(md, $"![{caption}](plots/{file})");
            foreach (var file in others) Line(md, $"![{Caption(file)}](plots/{file})");
            md.AppendLine();
        }

        if (folder.ReadConfig() is { } config)
        {
            md.AppendLine("## Recipe");
            md.AppendLine();
            md.AppendLine("```yaml");
            md.Append(config.TrimEnd('\n')).Append('\n');
            md.AppendLine("```");
            md.AppendLine();
        }
        md.AppendLine("Files: `metrics.jsonl` (one line per epoch), `summary.json`, `checkpoints/`, `tensorboard/` (`tensorboard --logdir tensorboard`).");
        return md.ToString();
    }

    /// <summary>A metric's row label: train_loss -> "train loss", val_f1 -> "validation f1", ema_val_accuracy -> "EMA validation accuracy".</summary>
    static string MetricLabel(string metric)
    {
        var (split, name) = MetricName.Split(metric);
        var label = split switch { "ema_val" => "EMA validation ", "val" => "validation ", "train" => "train ", _ => "" };
        return label + name switch { "top_k" => "top-k", "f1" => "macro F1", _ => name.Replace('_', ' ') };
    }

    static readonly (string File, string Caption)[] PlotOrder =
    [
        ("loss.png", "loss"), ("accuracy.png", "accuracy"), ("lr.png", "learning rate"),
        ("confusion.png", "confusion matrix"), ("f1.png", "F1 per class"), ("reliability.png", "reliability diagram"),
    ];

    // "test-confusion.png" -> "test confusion matrix": a prefixed known plot keeps its caption.
    static string Caption(string file)
    {
        foreach (var (known, caption) in PlotOrder)
            if (file.EndsWith("-" + known, StringComparison.Ordinal))
                return file[..^(known.Length + 1)] + " " + caption;
        return Path.GetFileNameWithoutExtension(file);
    }

    static string Number(double? v) => v is double d ? d.ToString("F4", CultureInfo.InvariantCulture) : "-";

    static string Duration(double seconds) =>
        seconds >= 3600 ? $"{seconds / 3600:F1} h" : seconds >= 60 ? $"{seconds / 60:F1} min" : $"{seconds:F1} s";

    // Invariant culture throughout: a report reads the same on every machine.
    static void Line(StringBuilder md, FormattableString line) => md.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
