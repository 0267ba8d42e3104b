using System.Text.Json;
using Kindling.Reporting;
using Kindling.Training;

namespace Kindling.Tests.Reporting;

/// <summary>A diverged run's NaN and infinite metrics are written to summary.json (as "NaN"/"Infinity", like metrics.jsonl) and report.md, never a crash.</summary>
public class NonFiniteReportTests
{
    [Fact]
    public void SummaryAndReportWriteNonFiniteMetrics()
    {
        using var dir = new TempDir();
        var folder = RunFolder.Create(dir.Path);
        var nan = new EpochMetrics
        {
            Epoch = 2,
            Values = new Dictionary<string, double> { ["train_loss"] = double.NaN, ["val_loss"] = double.PositiveInfinity, ["val_accuracy"] = 0.1 },
            LearningRate = 1e6,
            GradNorm = double.NaN,
        };
        var summary = new RunSummary
        {
            EpochsRun = 2, BestEpoch = 1, Monitor = "val_loss", BestMetric = double.NaN, EndReason = "completed", Final = nan, Best = nan,
            TestLoss = double.NaN, TestAccuracy = 0.1, TestMetrics = new Dictionary<string, double> { ["loss"] = double.NegativeInfinity },
        };
        RunJson.WriteAtomic(folder.SummaryPath, JsonSerializer.Serialize(summary, RunJson.Document));
        using (var json = JsonDocument.Parse(File.ReadAllText(folder.SummaryPath)))
        {
            Assert.Equal("NaN", json.RootElement.GetProperty("best_metric").GetString());
            Assert.Equal("NaN", json.RootElement.GetProperty("test_loss").GetString());
            Assert.Equal("-Infinity", json.RootElement.GetProperty("test_metrics").GetProperty("loss").GetString());
            Assert.Equal("Infinity", json.RootElement.GetProperty("final").GetProperty("val_loss").GetString());
        }
        var text = ReportWriter.Write(folder, summary);
        Assert.Contains("NaN", text);
        Assert.True(File.Exists(folder.ReportPath));
    }
}
