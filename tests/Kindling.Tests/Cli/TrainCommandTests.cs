using System.Text.Json;

namespace Kindling.Tests.Cli;

/// <summary>`kindling train`, `eval` and `predict` end to end on a tiny picture folder: the run folder the GUIDE promises.</summary>
[Collection("Console")]
public class TrainCommandTests
{
    [Fact]
    public void TrainWritesTheWholeRunFolderAndItsCheckpointEvaluatesAndPredicts()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 16);
        var recipe = Path.Combine(tmp.Path, "tiny.yaml");
        File.WriteAllText(recipe, $"""
            data:
              spec: imagefolder:{pictures}
              validation:
                holdout: 12
              batch_size: 8
              num_workers: 0
              mean: auto
              std: auto
            transforms:
              train: []
              eval: []
            model:
              name: fastnet
              width_multiplier: 0.25
            optimizer:
              name: adamw
              lr: 0.01
            training:
              epochs: 3
              device: cpu
            """);
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("epoch 3/3", output);
        foreach (var file in new[] { "config.yaml", "environment.json", "summary.json", "report.md", "checkpoints/best.ckpt", "checkpoints/last.ckpt", "plots/loss.png", "plots/accuracy.png", "plots/lr.png" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing; have: {string.Join(", ", Directory.GetFiles(run, "*", SearchOption.AllDirectories))}");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories));
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))))
            Assert.True(summary.RootElement.TryGetProperty("epochs_run", out _) || summary.RootElement.TryGetProperty("final", out _), summary.RootElement.ToString());

        var (evalCode, evalOut, evalError) = CliRunner.Kindling("eval", "--checkpoint", Path.Combine(run, "checkpoints", "best.ckpt"), "--split", "train", "--json");
        Assert.True(evalCode == 0, evalError);
        using (var metrics = JsonDocument.Parse(evalOut))
        {
            Assert.Equal(48, metrics.RootElement.GetProperty("samples").GetInt32());
            Assert.True(metrics.RootElement.GetProperty("accuracy").GetDouble() > 0.8, evalOut);
        }

        var picture = Path.Combine(pictures, "green", "000.png");
        var (predictCode, predictOut, predictError) = CliRunner.Kindling("predict", "--checkpoint", Path.Combine(run, "checkpoints", "best.ckpt"), picture, "--top-k", "2", "--json");
        Assert.True(predictCode == 0, predictError);
        using var predictions = JsonDocument.Parse(predictOut);
        var top = predictions.RootElement[0].GetProperty("top");
        Assert.Equal(2, top.GetArrayLength());
        Assert.Equal("green", top[0].GetProperty("class").GetString());
    }

    [Fact]
    public void BadRecipeIsRefusedBeforeAnythingRuns()
    {
        using var tmp = new TempDir();
        var recipe = Path.Combine(tmp.Path, "bad.yaml");
        File.WriteAllText(recipe, "data:\n  spec: fashion-mnist\noptimizer:\n  name: adamw\n  lr: fast\n  momentun: 0.9\n");
        var run = Path.Combine(tmp.Path, "run");
        var (code, _, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run);
        Assert.NotEqual(0, code);
        Assert.Contains("optimizer.lr", error);
        Assert.Contains("optimizer.momentun", error);
        Assert.False(Directory.Exists(run));
    }
}
