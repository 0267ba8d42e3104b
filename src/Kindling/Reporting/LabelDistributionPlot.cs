using Kindling.Data.Datasets;
using ScottPlot;

namespace Kindling.Reporting;

/// <summary>
/// The label distribution (seed 004 8.1): per-class counts of the training split, and of the test split beside them
/// when there is one, as bars with the class names on the axis and the training split's imbalance ratio in the title.
/// </summary>
public static class LabelDistributionPlot
{
    /// <summary>The largest class's count over the smallest's (infinity when a class has no sample; NaN without classes).</summary>
    public static double ImbalanceRatio(IReadOnlyList<int> counts) =>
        counts.Count == 0 ? double.NaN : counts.Min() == 0 ? double.PositiveInfinity : (double)counts.Max() / counts.Min();

    /// <summary>Writes the bar chart to <paramref name="path"/> (PNG) and returns the path.</summary>
    /// <param name="train">The training split (labelled).</param>
    /// <param name="test">The test split, or null.</param>
    /// <param name="path">Where to write the PNG.</param>
    /// <exception cref="InvalidOperationException">A split has no labels.</exception>
    public static string Save(IImageDataset train, IImageDataset? test, string path)
    {
        var trainCounts = train.CountPerClass();
        var testCounts = test?.CountPerClass();
        int n = trainCounts.Length;
        var plot = new Plot();
        // Two bars a class side by side when the test split is there, one centred bar otherwise.
        double width = testCounts is null ? 0.8 : 0.4;
        Add(plot, trainCounts, testCounts is null ? 0 : -0.2, width, Colors.C0, $"train ({train.Count:N0})");
        if (testCounts is not null) Add(plot, testCounts, 0.2, width, Colors.C1, $"test ({test!.Count:N0})");
        if (n <= 100) Plots.ClassTicks(plot, train.Classes);
        double top = Math.Max(trainCounts.DefaultIfEmpty().Max(), testCounts?.DefaultIfEmpty().Max() ?? 0);
        plot.Axes.SetLimits(-0.7, n - 0.3, 0, Math.Max(1, top * 1.08));
        double ratio = ImbalanceRatio(trainCounts);
        string imbalance = double.IsPositiveInfinity(ratio) ? "a class has no training sample"
            : double.IsNaN(ratio) ? "no classes" : $"imbalance ratio {ratio:0.##} (largest / smallest class, train)";
        plot.Title($"Samples per class: {imbalance}");
        plot.YLabel("samples");
        plot.ShowLegend(Alignment.UpperRight);
        return Plots.Save(plot, path, Math.Clamp(200 + 22 * n, 900, 2400), 560);
    }

    static void Add(Plot plot, int[] counts, double offset, double width, Color color, string label)
    {
        var bars = plot.Add.Bars(counts.Select((c, i) => new Bar { Position = i + offset, Value = c, Size = width, FillColor = color }).ToList());
        bars.LegendText = label;
    }
}
