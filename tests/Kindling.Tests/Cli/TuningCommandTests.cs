using System.Text.Json;
using Kindling.Config;

namespace Kindling.Tests.Cli;

/// <summary>`kindling lr-find`, `kindling batch-size` and `kindling train` with auto values, end to end on a tiny picture folder.</summary>
[Collection("Console")]
public class TuningCommandTests
{
    static string TinyRecipe(TempDir tmp, string lr = "0.05", string batch = "8", int threads = 1)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 12);
        var recipe = Path.Combine(tmp.Path, "tiny.yaml");
        File.WriteAllText(recipe, $"""
            data:
              spec: imagefolder:{pictures}
              validation:
                holdout: 9
              batch_size: {batch}
              num_workers: 0
            transforms:
              train: [random_horizontal_flip]
              eval: []
            model:
              name: fastnet
              width_multiplier: 0.25
            optimizer:
              name: sgd
              lr: {lr}
              momentum: 0.9
            schedule:
              name: one_cycle_lr
            training:
              epochs: 1
              device: cpu
              threads: {threads}
            logging:
              tensorboard: false
            """);
        return recipe;
    }

    [Fact]
    public void LrFindWritesThePlotAndTheCurveAndPrintsTheSuggestions()
    {
        using var tmp = new TempDir();
        var recipe = TinyRecipe(tmp);
        var outDir = Path.Combine(tmp.Path, "lr");
        var (code, output, error) = CliRunner.Kindling("lr-find", "--config", recipe, "--steps", "16", "--start-lr", "1e-4", "--out", outDir);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        foreach (var key in new[] { "steepest descent", "minimum / 10", "lr: auto takes", "recipe lr" }) Assert.Contains(key, output);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(outDir, "lr-find.png"))[..4]);
        using var curve = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "lr-find.json")));
        var points = curve.RootElement.GetProperty("points");
        Assert.InRange(points.GetArrayLength(), 2, 16);
        Assert.Equal(1e-4, points[0].GetProperty("lr").GetDouble(), 12);
        Assert.Equal(16, curve.RootElement.GetProperty("options").GetProperty("steps").GetInt32());

        var (jsonCode, json, jsonError) = CliRunner.Kindling("lr-find", "--config", recipe, "--steps", "8", "--start-lr", "1e-3", "--out", outDir, "--json");
        Assert.True(jsonCode == 0, jsonError);
        using var printed = JsonDocument.Parse(json);
        Assert.Equal(1e-3, printed.RootElement.GetProperty("points")[0].GetProperty("lr").GetDouble(), 12);
    }

    [Theory]
    [InlineData("--start-lr", "1", "--end-lr", "0.1", "end lr must be finite and greater than the start lr")]
    [InlineData("--steps", "1", "--end-lr", "10", "at least 2 steps")]
    [InlineData("--start-lr", "-1", "--end-lr", "10", "start lr must be a finite value > 0")]
    public void LrFindRefusesBadSettingsBeforeLoadingAnything(string k1, string v1, string k2, string v2, string message)
    {
        var (code, _, error) = CliRunner.Kindling("lr-find", "--config", "no-such-recipe.yaml", k1, v1, k2, v2);
        Assert.NotEqual(0, code);
        Assert.Contains(message, error);
    }

    [Fact]
    public void BatchSizePrintsTheTableTheFitAndTheScaledLr()
    {
        using var tmp = new TempDir();
        var recipe = TinyRecipe(tmp);
        var outDir = Path.Combine(tmp.Path, "bs");
        var (code, output, error) = CliRunner.Kindling("batch-size", "--config", recipe, "--start", "4", "--max", "16", "--memory-budget", "2GiB", "--out", outDir);
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("chosen: 16 (cpu; limited by max)", output);
        Assert.Contains("memory:", output);
        Assert.Contains("the budget 2.00 GiB allows", output);
        // The recipe's lr 0.05 was for batch 8: SGD scales linearly.
        Assert.Contains("lr: 0.05 at batch 8 becomes 0.1 at batch 16 (linear rule", output);
        Assert.True(File.Exists(Path.Combine(outDir, "batch-size.png")));
        using var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "batch-size.json")));
        Assert.Equal([4, 8, 16], saved.RootElement.GetProperty("probes").EnumerateArray().Select(p => p.GetProperty("batch_size").GetInt32()));

        var (badCode, _, badError) = CliRunner.Kindling("batch-size", "--config", recipe, "--memory-budget", "lots");
        Assert.NotEqual(0, badCode);
        Assert.Contains("'lots' is not a memory size", badError);
    }

    [Fact]
    public void TrainWithLrAutoRunsTheFinderFirstAndRecordsTheNumber()
    {
        using var tmp = new TempDir();
        var recipe = TinyRecipe(tmp, lr: "auto");
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("optimizer.lr: auto: running the LR range test", error);
        var config = File.ReadAllText(Path.Combine(run, "config.yaml"));
        var header = config.Split('\n')[0];
        Assert.StartsWith("# optimizer.lr: ", header);
        Assert.Contains("chosen by the LR range test", header);
        Assert.Contains(header[2..], error);
        var resolved = Recipe.Parse(config);
        Assert.False(resolved.Optimizer.LrIsAuto);
        Assert.DoesNotContain("lr: auto", config);
        using var curve = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "lr-find.json")));
        Assert.Equal(100, curve.RootElement.GetProperty("options").GetProperty("steps").GetInt32());
        Assert.True(File.Exists(Path.Combine(run, "plots", "lr-find.png")));
        Assert.Contains("epoch 1/1", output);
    }
}
