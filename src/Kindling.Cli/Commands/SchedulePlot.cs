using Kindling.Config.Runs;

namespace Kindling.Cli.Commands;

/// <summary>The schedule as a PNG: LR on the left axis, momentum (or beta1) on the right, against the optimizer step.</summary>
static class SchedulePlot
{
    public static void Save(IReadOnlyList<SchedulePoint> points, string path, string title)
    {
        var plot = new ScottPlot.Plot();
        double[] steps = points.Select(p => (double)p.Step).ToArray();
        var lr = plot.Add.Scatter(steps, points.Select(p => p.Lr).ToArray());
        lr.MarkerSize = 0;
        lr.LineWidth = 2;
        lr.LegendText = "lr";
        if (points.Count > 0 && points[0].Momentum is not null)
        {
            var momentum = plot.Add.Scatter(steps, points.Select(p => p.Momentum!.Value).ToArray());
            momentum.MarkerSize = 0;
            momentum.LegendText = "momentum";
            momentum.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "momentum / beta1";
        }
        plot.Title(title);
        plot.XLabel("optimizer step");
        plot.YLabel("learning rate");
        plot.ShowLegend();
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        plot.SavePng(path, 900, 500);
    }
}
