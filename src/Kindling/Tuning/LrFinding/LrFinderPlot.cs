using System.Globalization;
using Kindling.Reporting;
using ScottPlot;

namespace Kindling.Tuning.LrFinding;

/// <summary>The range test as a PNG: loss against the learning rate on a log axis, with both suggestions marked.</summary>
public static class LrFinderPlot
{
    /// <summary>Writes the plot to <paramref name="path"/> (through a temporary file) and returns the path.</summary>
    public static string Save(LrFinderResult result, string path, string? title = null)
    {
        if (result.Points.Count == 0) throw new ArgumentException("the range test recorded no points: nothing to plot.", nameof(result));
        var plot = new Plot();
        // ScottPlot has no log axis: plot log10(lr) and label the ticks with the powers of ten.
        var xs = result.Points.Select(p => Math.Log10(p.Lr)).ToArray();
        var raw = plot.Add.Scatter(xs, result.Points.Select(p => p.Loss).ToArray(), Colors.Gray.WithAlpha(0.5));
        raw.MarkerSize = 0;
        raw.LegendText = "batch loss";
        var smoothed = plot.Add.Scatter(xs, result.Points.Select(p => p.SmoothedLoss).ToArray(), Colors.C0);
        smoothed.MarkerSize = 0;
        smoothed.LineWidth = 2;
        smoothed.LegendText = $"smoothed loss (beta {result.Options.Smoothing:G3})";
        Mark(plot, result.Steepest, "steepest descent", Colors.C1);
        Mark(plot, result.MinimumTenth, "minimum / 10", Colors.C2);
        if (result.MinimumLr is double min)
        {
            var atMin = result.Points.First(p => p.Lr == min);
            var m = plot.Add.Marker(Math.Log10(min), atMin.SmoothedLoss, MarkerShape.FilledCircle, 8, Colors.C2);
            m.LegendText = $"minimum ({Show(min)})";
        }
        // The batch loss at the blow-up would flatten the interesting part: show up to a little above the start.
        double top = Math.Max(result.Points[0].SmoothedLoss, result.Points.Max(p => p.SmoothedLoss)) * 1.15;
        double bottom = Math.Min(result.Points.Min(p => p.SmoothedLoss), result.Points.Min(p => p.Loss)) * 0.9;
        plot.Axes.SetLimitsY(bottom, top);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = Power,
        };
        plot.Title(title ?? $"LR range test ({result.Points.Count} steps, {result.StopReason.Split(':')[0]})");
        plot.XLabel("learning rate (log scale)");
        plot.YLabel("training loss");
        plot.ShowLegend(Alignment.UpperLeft);
        return Plots.Save(plot, path);
    }

    static void Mark(Plot plot, double? lr, string label, Color color)
    {
        if (lr is not double x) return;
        var line = plot.Add.VerticalLine(Math.Log10(x), 2, color, LinePattern.Dashed);
        line.LegendText = $"{label}: {Show(x)}";
    }

    // 1e-7 ... 0.001, 0.01, 0.1, 1, 10, 100 ... 1e4
    static string Power(double log10)
    {
        int e = (int)Math.Round(log10);
        return e is >= -3 and <= 3 ? Math.Pow(10, e).ToString("0.###", CultureInfo.InvariantCulture) : $"1e{e}";
    }

    static string Show(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}
