using Kindling.Reporting;

namespace Kindling.Tests.Reporting;

[Collection("Console")]
public class RunComparisonTests
{
    static string MakeRun(string root, string name, double lr, string optimizer, double accuracy, double[] curve)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), $"data:\n  spec: fashion-mnist\n  batch_size: 128\noptimizer:\n  name: {optimizer}\n  lr: {lr}\n  betas: [0.9, 0.999]\ntraining:\n  epochs: {curve.Length}\n");
        File.WriteAllText(Path.Combine(dir, "summary.json"), $"{{\"test_accuracy\": {accuracy}, \"best\": {{\"val_loss\": {1 - accuracy}}}, \"end_reason\": \"completed\"}}");
        File.WriteAllLines(Path.Combine(dir, "metrics.jsonl"), curve.Select((a, i) => $"{{\"epoch\": {i + 1}, \"val_accuracy\": {a}}}"));
        return dir;
    }

    [Fact]
    public void TableHasOnlyTheDifferingKeysAndEveryNumericMetric()
    {
        using var tmp = new TempDir();
        var a = MakeRun(tmp.Path, "adamw-1e-3", 0.001, "adamw", 0.91, new[] { 0.8, 0.9 });
        var b = MakeRun(tmp.Path, "sgd-1e-1", 0.1, "sgd", 0.93, new[] { 0.7, 0.85 });
        var c = RunComparison.Load(new[] { a, b });
        Assert.Equal(new[] { "optimizer.lr", "optimizer.name" }, c.DifferingKeys);
        Assert.Equal(new[] { "test_accuracy", "best.val_loss" }, c.MetricKeys);
        var md = c.ToMarkdown("test_accuracy");
        var lines = md.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| run | optimizer.lr | optimizer.name | test_accuracy | best.val_loss |", lines[0]);
        Assert.StartsWith("| sgd-1e-1 | 0.1 | sgd | 0.93 |", lines[2]); // sorted: best accuracy first
        Assert.DoesNotContain("batch_size", md);
        var csv = c.ToCsv("best.val_loss").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sgd-1e-1,", csv[1]); // losses ascend
    }

    [Fact]
    public void CompareCommandWritesMarkdownCsvAndPlot()
    {
        using var tmp = new TempDir();
        var a = MakeRun(tmp.Path, "a", 0.001, "adamw", 0.91, new[] { 0.8, 0.9, 0.91 });
        var b = MakeRun(tmp.Path, "b", 0.003, "adamw", 0.92, new[] { 0.82, 0.9, 0.92 });
        var outDir = Path.Combine(tmp.Path, "cmp");
        var (code, output, error) = CliRunner.Kindling("compare", a, b, "--out", outDir, "--sort", "test_accuracy");
        Assert.True(code == 0, error);
        Assert.Contains("| b | 0.003 | 0.92 |", output);
        Assert.True(File.Exists(Path.Combine(outDir, "compare.csv")));
        var png = File.ReadAllBytes(Path.Combine(outDir, "val_accuracy.png"));
        Assert.True(png.Length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    }

    [Fact]
    public void UnfinishedRunIsRefusedByName()
    {
        using var tmp = new TempDir();
        var a = MakeRun(tmp.Path, "done", 0.001, "adamw", 0.91, new[] { 0.9 });
        var unfinished = Path.Combine(tmp.Path, "unfinished");
        Directory.CreateDirectory(unfinished);
        File.WriteAllText(Path.Combine(unfinished, "config.yaml"), "a: 1\n");
        var e = Assert.Throws<FileNotFoundException>(() => RunComparison.Load(new[] { a, unfinished }));
        Assert.Contains("unfinished", e.Message);
        Assert.Contains("summary.json", e.Message);
    }
}
