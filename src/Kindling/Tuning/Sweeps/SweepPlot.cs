using System.Globalization;
using ScottPlot;

namespace Kindling.Tuning.Sweeps;

/// <summary>
/// A sweep's parallel-coordinates plot: one vertical axis per swept key and one for the metric, one
/// line per trial through its values, coloured by the metric (viridis: yellow is high), the best
/// trial drawn thick. Numeric axes are linear, or logarithmic for log ranges and for values spanning
/// a factor of 10 or more; other values are spaced evenly in the order given.
/// </summary>
public static class SweepPlot
{
    /// <summary>Writes the plot of <paramref name="trials"/> (those with a metric) to <paramref name="path"/> and returns the path.</summary>
    /// <param name="spec">The sweep's keys, for the axes' order and categories.</param>
    /// <param name="trials">The trials; ones without a metric are left out.</param>
    /// <param name="metric">The metric's name (the last axis).</param>
    /// <param name="path">The PNG.</param>
    /// <param name="maximize">Whether the best trial has the highest metric.</param>
    public static string ParallelCoordinates(SweepSpec spec, IReadOnlyList<SweepTrial> trials, string metric, string path, bool maximize = true)
    {
        var measured = trials.Where(t => t.Metric is double m && double.IsFinite(m)).ToList();
        var axes = spec.Dimensions.Select(d => Axis.For(d, measured.Select(t => t.Overrides.GetValueOrDefault(d.Key, "")).ToList())).ToList();
        var scores = measured.Select(t => t.Metric!.Value).ToList();
        var metricAxis = Axis.Numeric(metric, scores, log: false);
        var plot = new Plot();
        int k = axes.Count;
        double lo = scores.Count == 0 ? 0 : scores.Min(), hi = scores.Count == 0 ? 1 : scores.Max();
        var colormap = new ScottPlot.Colormaps.Viridis();
        int best = scores.Count == 0 ? -1 : scores.IndexOf(maximize ? hi : lo);
        for (int i = 0; i < measured.Count; i++)
        {
            var ys = axes.Select(a => a.Position(measured[i].Overrides.GetValueOrDefault(a.Name, ""))).Append(metricAxis.Position(scores[i])).ToArray();
            var xs = Enumerable.Range(0, k + 1).Select(x => (double)x).ToArray();
            var line = plot.Add.Scatter(xs, ys, colormap.GetColor(hi > lo ? (scores[i] - lo) / (hi - lo) : 1));
            line.LineWidth = i == best ? 5 : 2;
            line.MarkerSize = 6;
        }
        var all = axes.Append(metricAxis).ToList();
        for (int x = 0; x <= k; x++)
        {
            plot.Add.VerticalLine(x, 1, Colors.Gray);
            foreach (var (position, label) in all[x].Ticks)
            {
                var text = plot.Add.Text(label, x, position);
                text.LabelFontSize = 11;
                text.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, k + 1).Select(x => (double)x).ToArray(), all.Select(a => a.Name).ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([], []);
        plot.Axes.SetLimits(-0.3, k + 0.6, -0.08, 1.08);
        // The best trial is named in the title: a legend would cover the axes' labels.
        plot.Title($"{measured.Count} trials by {metric}" + (best < 0 ? "" : $"; best (thick): {string.Join(", ", measured[best].Overrides.Select(kv => $"{kv.Key}={kv.Value}"))}"), size: 13);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Math.Max(700, 220 * (k + 1)), 560);
        return path;
    }

    /// <summary>One vertical axis: where a value sits on it (0 bottom, 1 top) and its labelled ticks.</summary>
    sealed class Axis
    {
        public required string Name { get; init; }
        public required Func<string, double> Place { get; init; }
        public required IReadOnlyList<(double, string)> Ticks { get; init; }

        public double Position(string value) => Place(value);
        public double Position(double value) => Place(value.ToString("R", CultureInfo.InvariantCulture));

        public static Axis For(SweepDimension d, IReadOnlyList<string> values)
        {
            var numbers = values.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN).ToList();
            if (values.Count > 0 && numbers.All(double.IsFinite))
            {
                bool log = d.Range?.Log == true || (numbers.Min() > 0 && numbers.Max() / numbers.Min() >= 10);
                return Numeric(d.Key, numbers, log);
            }
            var categories = (d.Values ?? []).Concat(values).Distinct().ToList();
            return new Axis
            {
                Name = d.Key,
                Place = v => categories.Count <= 1 ? 0.5 : (double)categories.IndexOf(v) / (categories.Count - 1),
                Ticks = categories.Select((c, i) => (categories.Count <= 1 ? 0.5 : (double)i / (categories.Count - 1), c)).ToList(),
            };
        }

        public static Axis Numeric(string name, IReadOnlyList<double> values, bool log)
        {
            Func<double, double> f = log ? Math.Log10 : v => v;
            double lo = values.Count == 0 ? 0 : values.Min(f), hi = values.Count == 0 ? 1 : values.Max(f);
            double Place(double v) => hi > lo ? (f(v) - lo) / (hi - lo) : 0.5;
            return new Axis
            {
                Name = name,
                Place = s => Place(double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture)),
                Ticks = Marks(values, lo, hi, log).Select(v => (Place(v), v.ToString("G4", CultureInfo.InvariantCulture))).ToList(),
            };
        }

        // Every value while they are few (a grid's), else five evenly spaced marks (a random sweep's draws would overlap).
        static IEnumerable<double> Marks(IReadOnlyList<double> values, double lo, double hi, bool log)
        {
            var distinct = values.Distinct().ToList();
            if (distinct.Count <= 6) return distinct;
            return Enumerable.Range(0, 5).Select(i => lo + (hi - lo) * i / 4).Select(v => log ? Math.Pow(10, v) : v);
        }
    }
}
