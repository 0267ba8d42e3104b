using System.Text.Json;

namespace Kindling.Tests.Cli;

/// <summary>`eval --data` with a folder of class folders, other class names; `predict` on a folder and past a bad file.</summary>
[Collection("Console")]
public class EvalPredictInputTests
{
    [Fact]
    public void EvalTakesAFolderWholeRefusesOtherClassNamesAndPredictGoesPastABadFile()
    {
        using var tmp = new TempDir();
        var recipe = TinyPictures.WriteQuietRun(tmp.Path, epochs: 1);
        var pictures = Path.Combine(tmp.Path, "pictures");
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", recipe, "--out", run, "--plain", "--no-doctor");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        var checkpoint = Path.Combine(run, "checkpoints", "best.ckpt");

        // A folder of class folders has no test split: it is the data to evaluate, whole.
        (code, output, error) = CliRunner.Kindling("eval", "--checkpoint", checkpoint, "--data", $"imagefolder:{pictures}", "--json");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("has no test split: evaluating all its 24 images", error);
        using (var json = JsonDocument.Parse(output))
            Assert.Equal(24, json.RootElement.GetProperty("samples").GetInt32());

        // The same number of classes under other names is not the model's data.
        var renamed = Path.Combine(tmp.Path, "renamed");
        foreach (var (from, to) in new[] { ("red", "apple"), ("green", "leaf"), ("blue", "sky") })
        {
            Directory.CreateDirectory(renamed);
            Directory.Move(Path.Combine(pictures, from), Path.Combine(renamed, to));
        }
        (code, _, error) = CliRunner.Kindling("eval", "--checkpoint", checkpoint, "--data", $"imagefolder:{renamed}");
        Assert.Equal(1, code);
        Assert.Contains("classes are not the checkpoint's: label 0 is 'apple' in the data but 'blue' in the checkpoint", error);

        // predict: a folder stands for its pictures; a bad file is reported and the rest are predicted.
        File.WriteAllText(Path.Combine(renamed, "sky", "notes.png"), "not a picture");
        (code, output, error) = CliRunner.Kindling("predict", "--checkpoint", checkpoint, Path.Combine(renamed, "sky"), "--json");
        Assert.Equal(1, code);
        Assert.Contains("notes.png", error);
        Assert.Contains("1 of 9 pictures could not be read", error);
        using var predictions = JsonDocument.Parse(output);
        Assert.Equal(9, predictions.RootElement.GetArrayLength());
        Assert.Equal(8, predictions.RootElement.EnumerateArray().Count(p => p.TryGetProperty("top", out _)));
    }
}
