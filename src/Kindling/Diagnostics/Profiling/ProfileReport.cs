using System.Text.Json;
using Kindling.Reporting;
using ScottPlot;

namespace Kindling.Diagnostics.Profiling;

/// <summary>A profile written into a run folder: profile.json and plots/profile.png (milliseconds per phase, the verdict as title).</summary>
public static class ProfileReport
{
    /// <summary>Writes <paramref name="jsonPath"/> (atomically) and <paramref name="pngPath"/>.</summary>
    public static void Write(ProfileSummary summary, string jsonPath, string pngPath)
    {
        var json = JsonSerializer.Serialize(new
        {
            steps = summary.Steps,
            step_ms = summary.StepMs,
            bound = summary.Bound,
            verdict = summary.Verdict,
            synchronized = summary.Synchronized,
            phases = summary.Phases.Select(p => new { phase = ProfileSummary.Name(p.Phase), ms = p.Ms, share = p.Share }),
        }, RunJson.Document);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
        RunJson.WriteAtomic(jsonPath, json);
        Plot(summary, pngPath);
    }

    static void Plot(ProfileSummary summary, string path)
    {
        var plot = new Plot();
        var bars = summary.Phases.Select((p, i) => new Bar
        {
            Position = i,
            Value = p.Ms,
            FillColor = p.Phase == Training.StepPhase.Data ? Colors.C1 : Colors.C0,
            Label = $"{p.Share * 100:F0}%",
        }).ToList();
        plot.Add.Bars(bars);
        var positions = Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, summary.Phases.Select(p => ProfileSummary.Name(p.Phase)).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title($"{summary.Bound}-bound: {summary.StepMs:F1} ms per step over {summary.Steps} steps");
        plot.YLabel("ms per step");
        Plots.Save(plot, path, 800, 450);
    }
}
