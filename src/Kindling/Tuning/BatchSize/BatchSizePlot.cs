using Kindling.Reporting;
using ScottPlot;

namespace Kindling.Tuning.BatchSize;

/// <summary>The batch-size probes as a PNG: images/s (left axis) and peak memory (right axis) against the batch size on a log2 axis.</summary>
public static class BatchSizePlot
{
    /// <summary>Writes the plot to <paramref name="path"/> (through a temporary file) and returns the path.</summary>
    public static string Save(BatchSizeResult result, string path, string? title = null)
    {
        var ran = result.Probes.Where(p => p.ImagesPerSecond is not null && p.Fits).OrderBy(p => p.BatchSize).ToList();
        if (ran.Count == 0) throw new ArgumentException("no batch size ran: nothing to plot.", nameof(result));
        var plot = new Plot();
        var xs = ran.Select(p => Math.Log2(p.BatchSize)).ToArray();
        var speed = plot.Add.Scatter(xs, ran.Select(p => p.ImagesPerSecond!.Value).ToArray(), Colors.C0);
        speed.LineWidth = 2;
        speed.LegendText = "training images/s";
        var measured = ran.Where(p => p.PeakBytes is not null).ToList();
        if (measured.Count > 0)
        {
            var memory = plot.Add.Scatter(measured.Select(p => Math.Log2(p.BatchSize)).ToArray(), measured.Select(p => p.PeakBytes!.Value / (double)(1 << 20)).ToArray(), Colors.C1);
            memory.Axes.YAxis = plot.Axes.Right;
            memory.LineWidth = 2;
            memory.LegendText = "peak memory above baseline (MiB)";
            plot.Axes.Right.Label.Text = "MiB";
            if (result.Fit is { } fit)
            {
                double x0 = xs[0], x1 = xs[^1];
                var line = plot.Add.Line(x0, fit.Predict(ran[0].BatchSize) / (1 << 20), x1, fit.Predict(ran[^1].BatchSize) / (1 << 20));
                line.Axes.YAxis = plot.Axes.Right;
                line.LinePattern = LinePattern.Dashed;
                line.Color = Colors.C1.WithAlpha(0.6);
                line.LegendText = $"fit: {BatchSizeSearch.Bytes(fit.FixedBytes)} + {BatchSizeSearch.Bytes(fit.BytesPerSample)} per sample";
            }
        }
        var chosen = plot.Add.VerticalLine(Math.Log2(result.BatchSize), 2, Colors.C2, LinePattern.Dashed);
        chosen.LegendText = $"chosen: {result.BatchSize}";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, ran.Select(p => p.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Title(title ?? $"Batch size ({result.Method}, limited by {result.Limit})");
        plot.XLabel("batch size");
        plot.YLabel("images/s");
        plot.ShowLegend(Alignment.UpperLeft);
        return Plots.Save(plot, path);
    }
}
