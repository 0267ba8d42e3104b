using System.Globalization;
using Kindling.Diagnostics.Gradients;
using Kindling.Diagnostics.Profiling;
using Kindling.Reporting;

namespace Kindling.Cli.Display;

/// <summary>What `kindling train --grad-monitor` and `--profile` print (and write) when training ends.</summary>
static class DiagnosticsOutput
{
    public static void Gradients(GradientMonitor monitor, TextWriter output)
    {
        if (monitor.LastEpoch.Count == 0) return;
        output.WriteLine("gradients (mean over the last epoch's optimizer steps; gradients.jsonl has every epoch):");
        foreach (var line in monitor.Table()) output.WriteLine("  " + line);
        if (monitor.FirstNonFinite is { } first)
            output.WriteLine($"non-finite gradients in {monitor.NonFiniteSteps} steps; the first: {first.Describe()}");
    }

    public static void Profile(ProfileSummary summary, RunFolder folder, TextWriter output)
    {
        var json = Path.Combine(folder.Root, "profile.json");
        var png = Path.Combine(folder.PlotsDir, "profile.png");
        ProfileReport.Write(summary, json, png);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"profile: {summary.Steps} steps after the first, {summary.StepMs:F1} ms per step") +
                         (summary.Synchronized ? " (device synchronized at each phase)" : ""));
        output.WriteLine($"  {"phase",-16}{"ms/step",10}{"share",8}");
        foreach (var p in summary.Phases)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {ProfileSummary.Name(p.Phase),-16}{p.Ms,10:F2}{p.Share * 100,7:F1}%"));
        output.WriteLine($"verdict: {summary.Verdict}");
        output.WriteLine($"profile: {json}, {png}");
    }
}
