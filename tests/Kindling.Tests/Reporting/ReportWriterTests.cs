namespace Kindling.Tests.Reporting;

[Collection("GlobalGenerator")]
public class ReportWriterTests(TinyRun run) : IClassFixture<TinyRun>
{
    [Fact]
    public void ReportHoldsRecipeMetricsClassesCalibrationAndPlots()
    {
        var report = File.ReadAllText(run.Folder.ReportPath);
        Assert.Equal(run.Report, report);
        Assert.StartsWith("# Tiny run\n", report);
        Assert.Contains("```yaml\n" + TinyRun.Config + "```", report);
        Assert.Contains("TorchSharp " + run.Environment.TorchSharpVersion, report);
        Assert.Contains("Command: `kindling train --config tiny.yaml`", report);
        Assert.Contains("Ended: completed after 3 epochs", report);
        Assert.Contains($"Best epoch: {run.Result.BestEpoch} by val_accuracy", report);
        Assert.Contains("| validation accuracy |", report);
        Assert.Contains("| EMA validation accuracy |", report);
        Assert.Contains($"Test: accuracy **{run.Test.Accuracy:F4}**", report);
        Assert.Contains("## Per class (test)", report);
        Assert.Contains("| class | precision | recall | F1 | support |", report);
        foreach (var (name, c) in run.ClassNames.Select((n, i) => (n, i)))
            Assert.Contains($"| {name} | {run.Test.Report.PerClass[c].Precision:F3} | {run.Test.Report.PerClass[c].Recall:F3} | {run.Test.Report.PerClass[c].F1:F3} | 10 |", report);
        Assert.Contains($"Expected calibration error (15 bins, test): {run.Test.CalibrationError:F4}", report);
        Assert.Contains("![test confusion matrix](plots/test-confusion.png)", report);
        foreach (var plot in new[] { "plots/loss.png", "plots/accuracy.png", "plots/lr.png", "plots/confusion.png", "plots/f1.png", "plots/reliability.png", "plots/test-confusion.png" })
        {
            Assert.Contains($"]({plot})", report);
            Assert.True(File.Exists(Path.Combine(run.Folder.Root, plot)), plot);
        }
    }
}
