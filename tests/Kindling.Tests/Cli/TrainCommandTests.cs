using System.Text.Json;
using SkiaSharp;

namespace Kindling.Tests.Cli;

/// <summary>`kindling train`, `eval` and `predict` end to end on a tiny picture folder: the run folder the GUIDE promises.</summary>
[Collection("Console")]
public class TrainCommandTests
{
    // Class c is a picture dominated by channel c, plus noise: learnable in a few steps.
    internal static void WriteFolder(string root, int perClass)
    {
        var rng = new Random(4);
        foreach (var (name, c) in new[] { ("red", 0), ("green", 1), ("blue", 2) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            for (int i = 0; i < perClass; i++)
            {
                using var bitmap = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Opaque));
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                    {
                        var v = new byte[3];
                        for (int k = 0; k < 3; k++) v[k] = (byte)(k == c ? 160 + rng.Next(90) : rng.Next(90));
                        bitmap.SetPixel(x, y, new SKColor(v[0], v[1], v[2]));
                    }
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(root, name, $"{i:D3}.png"), data.ToArray());
            }
        }
    }

    [Fact]
    public void TrainWritesTheWholeRunFolderAndItsCheckpointEvaluatesAndPredicts()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        WriteFolder(pictures, 16);
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
