using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Kindling.Reporting;

/// <summary>
/// The seeds' hand-kept ablation table, made from run folders: one row per run with the recipe keys
/// that differ between the runs and the run's final metrics (every number in summary.json), plus
/// the validation curves from metrics.jsonl for an overlay plot.
/// </summary>
public sealed class RunComparison
{
    RunComparison(IReadOnlyList<Run> runs, IReadOnlyList<string> differingKeys, IReadOnlyList<string> metricKeys)
    {
        Runs = runs;
        DifferingKeys = differingKeys;
        MetricKeys = metricKeys;
    }

    /// <summary>One run folder as read.</summary>
    public sealed record Run(string Name, string Folder, IReadOnlyDictionary<string, string> Config, IReadOnlyDictionary<string, double> Metrics,
        IReadOnlyList<IReadOnlyDictionary<string, double>> Epochs);

    public IReadOnlyList<Run> Runs { get; }

    /// <summary>Recipe keys (dotted paths) whose values are not the same in every run.</summary>
    public IReadOnlyList<string> DifferingKeys { get; }

    /// <summary>Numeric summary keys present in at least one run.</summary>
    public IReadOnlyList<string> MetricKeys { get; }

    /// <summary>Reads the run folders; a folder without config.yaml or summary.json is refused by name.</summary>
    public static RunComparison Load(IEnumerable<string> folders)
    {
        var runs = new List<Run>();
        foreach (var folder in folders)
        {
            var full = Path.GetFullPath(folder);
            if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"run folder {folder} does not exist.");
            var configPath = Path.Combine(full, "config.yaml");
            var summaryPath = Path.Combine(full, "summary.json");
            if (!File.Exists(configPath)) throw new FileNotFoundException($"{folder} is not a run folder: it has no config.yaml.", configPath);
            if (!File.Exists(summaryPath)) throw new FileNotFoundException($"{folder} has no summary.json: the run did not finish (resume it, or leave it out).", summaryPath);
            var metricsPath = Path.Combine(full, "metrics.jsonl");
            var epochs = File.Exists(metricsPath)
                ? File.ReadLines(metricsPath).Where(l => l.Trim().Length > 0).Select(l => Flatten(JsonDocument.Parse(l).RootElement)).ToList()
                : new List<IReadOnlyDictionary<string, double>>();
            runs.Add(new Run(Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), full, FlattenYaml(configPath),
                Flatten(JsonDocument.Parse(File.ReadAllText(summaryPath)).RootElement), epochs));
        }
        if (runs.Count == 0) throw new ArgumentException("compare needs at least one run folder.");
        var keys = runs.SelectMany(r => r.Config.Keys).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToList();
        var differing = runs.Count == 1 ? new List<string>()
            : keys.Where(k => runs.Select(r => r.Config.GetValueOrDefault(k, "")).Distinct().Count() > 1).ToList();
        var metricKeys = runs.SelectMany(r => r.Metrics.Keys).Distinct().ToList();
        return new RunComparison(runs, differing, metricKeys);
    }

    /// <summary>The table as Markdown, sorted by <paramref name="sortBy"/> (descending for accuracies and F1, ascending for losses).</summary>
    /// <param name="sortBy">A summary metric key, or null for the runs' order.</param>
    /// <param name="descending">The sort direction; null: ascending for losses and errors, descending otherwise.</param>
    /// <param name="metrics">The metric columns to show; null: every one.</param>
    public string ToMarkdown(string? sortBy = null, bool? descending = null, IReadOnlyList<string>? metrics = null)
    {
        var rows = Sorted(sortBy, descending);
        var header = new[] { "run" }.Concat(DifferingKeys).Concat(metrics ?? MetricKeys).ToList();
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var r in rows)
            sb.AppendLine("| " + string.Join(" | ", Cells(r, metrics).Select(c => c.Replace("|", "\\|"))) + " |");
        return sb.ToString();
    }

    /// <summary>The table as CSV (RFC 4180 quoting); the arguments as for <see cref="ToMarkdown"/>.</summary>
    public string ToCsv(string? sortBy = null, bool? descending = null, IReadOnlyList<string>? metrics = null)
    {
        static string Q(string s) => s.Contains(',') || s.Contains('"') || s.Contains('\n') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", new[] { "run" }.Concat(DifferingKeys).Concat(metrics ?? MetricKeys).Select(Q)));
        foreach (var r in Sorted(sortBy, descending)) sb.AppendLine(string.Join(",", Cells(r, metrics).Select(Q)));
        return sb.ToString();
    }

    /// <summary>Writes the validation curve of every run (one line each) to a PNG.</summary>
    public void PlotCurves(string path, string metric = "val_accuracy")
    {
        var plot = new ScottPlot.Plot();
        foreach (var r in Runs)
        {
            var points = r.Epochs.Where(e => e.ContainsKey(metric) && e.ContainsKey("epoch")).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.Scatter(points.Select(e => e["epoch"]).ToArray(), points.Select(e => e[metric]).ToArray());
            line.LegendText = r.Name;
        }
        plot.Title($"{metric} by epoch");
        plot.XLabel("epoch");
        plot.YLabel(metric);
        plot.ShowLegend();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 550);
    }

    IEnumerable<Run> Sorted(string? sortBy, bool? descending)
    {
        if (sortBy is null) return Runs;
        if (!MetricKeys.Contains(sortBy))
            throw new ArgumentException($"cannot sort by '{sortBy}': the runs' summaries have {string.Join(", ", MetricKeys)}.");
        bool ascending = descending is bool d ? !d : sortBy.Contains("loss", StringComparison.OrdinalIgnoreCase) || sortBy.Contains("error", StringComparison.OrdinalIgnoreCase);
        var known = Runs.Where(r => r.Metrics.ContainsKey(sortBy));
        var ordered = ascending ? known.OrderBy(r => r.Metrics[sortBy]) : known.OrderByDescending(r => r.Metrics[sortBy]);
        return ordered.Concat(Runs.Where(r => !r.Metrics.ContainsKey(sortBy)));
    }

    IEnumerable<string> Cells(Run r, IReadOnlyList<string>? metrics) => new[] { r.Name }
        .Concat(DifferingKeys.Select(k => r.Config.GetValueOrDefault(k, "")))
        .Concat((metrics ?? MetricKeys).Select(k => r.Metrics.TryGetValue(k, out var v) ? v.ToString("G6", CultureInfo.InvariantCulture) : ""));

    static IReadOnlyDictionary<string, double> Flatten(JsonElement root)
    {
        var result = new Dictionary<string, double>();
        void Walk(JsonElement e, string prefix)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}");
                    break;
                case JsonValueKind.Number:
                    result[prefix] = e.GetDouble();
                    break;
            }
        }
        Walk(root, "");
        return result;
    }

    static IReadOnlyDictionary<string, string> FlattenYaml(string path)
    {
        var result = new Dictionary<string, string>();
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        void Walk(YamlNode node, string prefix)
        {
            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children) Walk(v, prefix.Length == 0 ? k.ToString() : $"{prefix}.{k}");
                    break;
                case YamlSequenceNode seq:
                    result[prefix] = "[" + string.Join(", ", seq.Children.Select(Render)) + "]";
                    break;
                default:
                    result[prefix] = node.ToString();
                    break;
            }
        }
        static string Render(YamlNode n) => n switch
        {
            YamlMappingNode m => "{" + string.Join(", ", m.Children.Select(c => $"{c.Key}: {Render(c.Value)}")) + "}",
            YamlSequenceNode s => "[" + string.Join(", ", s.Children.Select(Render)) + "]",
            _ => n.ToString(),
        };
        if (stream.Documents.Count > 0) Walk(stream.Documents[0].RootNode, "");
        return result;
    }
}
