using Kindling.Metrics;
using Kindling.Training;
using ScottPlot;

namespace Kindling.Reporting;

/// <summary>
/// The run's figures as PNG files (ScottPlot 5): learning curves, the learning-rate schedule, the
/// confusion matrix, per-class F1 and the reliability diagram. Each method writes one file and
/// returns its path.
/// </summary>
public static class Plots
{
    const int Width = 900, Height = 560;

    /// <summary>Train, validation and (when measured) EMA-validation loss per epoch.</summary>
    public static string LossCurves(IReadOnlyList<EpochMetrics> history, string path) => MetricCurves(history, "loss", path);

    /// <summary>Train, validation and (when measured) EMA-validation accuracy per epoch.</summary>
    public static string AccuracyCurves(IReadOnlyList<EpochMetrics> history, string path) => MetricCurves(history, "accuracy", path);

    /// <summary>The metric names a run's history has curves for: each task metric without its train_/val_/ema_val_ prefix (loss, accuracy, d_loss, ...).</summary>
    public static IReadOnlyList<string> CurveNames(IReadOnlyList<EpochMetrics> history) =>
        history.SelectMany(m => m.Values.Keys).Select(k => MetricName.Split(k).Base).Distinct().ToList();

    /// <summary>train_NAME, val_NAME and (when measured) ema_val_NAME per epoch, with the best epoch marked.</summary>
    public static string MetricCurves(IReadOnlyList<EpochMetrics> history, string name, string path) =>
        Curves(history, path, char.ToUpperInvariant(name[0]) + name[1..].Replace('_', ' '), name.Replace('_', ' '),
            m => m.Get(MetricName.Train + name), m => m.Get(MetricName.Validation + name), m => m.Get(MetricName.EmaValidation + name));

    static string Curves(IReadOnlyList<EpochMetrics> history, string path, string title, string yLabel,
        Func<EpochMetrics, double?> train, Func<EpochMetrics, double?> val, Func<EpochMetrics, double?> ema)
    {
        var plot = new Plot();
        foreach (var (value, label, color) in new[] { (train, "train", Colors.C0), (val, "validation", Colors.C1), (ema, "validation (EMA)", Colors.C2) })
        {
            // A diverged epoch (NaN, infinity) is left out: it has no place on the axis.
            var points = history.Select(m => (X: (double)m.Epoch, Y: value(m))).Where(p => p.Y is double y && double.IsFinite(y)).ToList();
            Series(plot, points.Select(p => p.X).ToArray(), points.Select(p => p.Y!.Value).ToArray(), label, color);
        }
        // Every epoch that improved is flagged; the best is the last of them.
        var best = history.LastOrDefault(m => m.Best);
        if (best is not null)
        {
            var line = plot.Add.VerticalLine(best.Epoch, 1, Colors.Gray, LinePattern.Dashed);
            line.LegendText = $"best epoch ({best.Epoch})";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, path);
    }

    static void Series(Plot plot, double[] xs, double[] ys, string label, Color color)
    {
        if (xs.Length == 0) return;
        var s = plot.Add.Scatter(xs, ys, color);
        s.LegendText = label;
        s.LineWidth = 2;
        s.MarkerSize = xs.Length > 40 ? 0 : 5; // markers only while they can be told apart
    }

    /// <summary>The learning rate at every optimizer step.</summary>
    public static string LearningRate(IReadOnlyList<(long Step, double Lr)> schedule, string path)
    {
        var plot = new Plot();
        if (schedule.Count > 0)
        {
            var s = plot.Add.Scatter(schedule.Select(p => (double)p.Step).ToArray(), schedule.Select(p => p.Lr).ToArray(), Colors.C0);
            s.MarkerSize = 0;
            s.LineWidth = 2;
        }
        plot.Title("Learning rate schedule");
        plot.XLabel("optimizer step");
        plot.YLabel("learning rate");
        return Save(plot, path);
    }

    /// <summary>
    /// The confusion matrix as a heat map, rows normalised (each row is the true class's recall spread over
    /// predictions, so classes of unequal size compare), with the counts written in the cells when they fit.
    /// </summary>
    public static string Confusion(ConfusionMatrix matrix, IReadOnlyList<string>? classNames, string path)
    {
        int n = matrix.NumClasses;
        var names = Names(classNames, n);
        var share = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            long support = matrix.Support(i);
            for (int j = 0; j < n; j++) share[i, j] = support == 0 ? 0 : (double)matrix[i, j] / support;
        }
        var plot = new Plot();
        var map = plot.Add.Heatmap(share);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.ManualRange = new ScottPlot.Range(0, 1);
        // Extent bounds the cell centres: cell (i, j) is centred on x = j, y = n-1-i, so row 0 (the first
        // class) is at the top, as matrices are read, and the class ticks sit on integers.
        if (n > 1) map.Extent = new CoordinateRect(0, n - 1, 0, n - 1);
        plot.Add.ColorBar(map);
        if (n <= 20)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    var text = plot.Add.Text(matrix[i, j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, n - 1 - i);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = n <= 10 ? 14 : 9;
                    text.LabelFontColor = share[i, j] > 0.5 ? Colors.Black : Colors.White;
                }
        if (n <= 40)
        {
            ClassTicks(plot, names);
            var positions = Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray();
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names.ToArray());
        }
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Title("Confusion matrix (rows: true class, normalised per row)");
        plot.XLabel("predicted");
        plot.YLabel("true");
        int side = Math.Clamp(300 + 18 * n, 600, 2000);
        return Save(plot, path, side + 120, side);
    }

    /// <summary>F1 of every class as bars, with the macro average as a line.</summary>
    public static string ClassF1(ClassificationReport report, IReadOnlyList<string>? classNames, string path)
    {
        int n = report.PerClass.Count;
        var names = Names(classNames, n);
        var plot = new Plot();
        var bars = plot.Add.Bars(report.PerClass.Select(c => c.F1).ToArray());
        bars.Color = Colors.C0;
        var macro = plot.Add.HorizontalLine(report.Macro.F1, 1.5f, Colors.C1, LinePattern.Dashed);
        macro.LegendText = $"macro F1 {report.Macro.F1:F3}";
        if (n <= 60) ClassTicks(plot, names);
        plot.Axes.SetLimits(-0.7, n - 0.3, 0, 1.05);
        plot.Title("F1 per class");
        plot.YLabel("F1");
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, path, Math.Clamp(200 + 22 * n, Width, 2400), Height);
    }

    /// <summary>
    /// Reliability diagram: accuracy per confidence bin as bars against the diagonal of perfect
    /// calibration; bars under the diagonal mean over-confidence.
    /// </summary>
    public static string Reliability(ExpectedCalibrationError calibration, string path)
    {
        var bins = calibration.Reliability();
        double width = 1.0 / calibration.Bins;
        var plot = new Plot();
        var bars = new List<Bar>();
        foreach (var b in bins)
            if (b.Count > 0)
                bars.Add(new Bar { Position = b.UpperEdge - width / 2, Value = b.Accuracy, Size = width * 0.95, FillColor = Colors.C0 });
        var accuracy = plot.Add.Bars(bars);
        accuracy.LegendText = "accuracy in bin";
        var seen = bins.Where(b => b.Count > 0).ToArray();
        if (seen.Length > 0)
        {
            var confidence = plot.Add.Scatter(seen.Select(b => b.UpperEdge - width / 2).ToArray(), seen.Select(b => b.Confidence).ToArray(), Colors.C1);
            confidence.LineWidth = 0;
            confidence.MarkerSize = 7;
            confidence.LegendText = "mean confidence in bin";
        }
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        diagonal.LegendText = "perfect calibration";
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title($"Reliability diagram (ECE {calibration.Value:F3})");
        plot.XLabel("confidence");
        plot.YLabel("accuracy");
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, path, 700, 640);
    }

    /// <summary>One bottom tick per class, its name slanted down to the right, with room below the axis for the longest.</summary>
    internal static void ClassTicks(Plot plot, IReadOnlyList<string> names)
    {
        var positions = Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray();
        var bottom = plot.Axes.Bottom;
        bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names.ToArray());
        bottom.TickLabelStyle.Rotation = 45;
        bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        // ScottPlot does not size an axis for rotated labels: about 6 px per character at 45 degrees, plus the axis label.
        bottom.MinimumSize = 30 + 6.5f * names.Max(n => n.Length);
    }

    static IReadOnlyList<string> Names(IReadOnlyList<string>? classNames, int n)
    {
        if (classNames is not null && classNames.Count != n)
            throw new ArgumentException($"{classNames.Count} class names for {n} classes: pass one name per class, in label order.", nameof(classNames));
        return classNames ?? Enumerable.Range(0, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    internal static string Save(Plot plot, string path, int width = Width, int height = Height)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // Through a temporary name: a reader never sees half a PNG.
        var temp = path + ".tmp.png";
        plot.SavePng(temp, width, height);
        File.Move(temp, path, overwrite: true);
        return path;
    }
}
