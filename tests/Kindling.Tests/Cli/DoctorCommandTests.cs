using System.Text.Json;

namespace Kindling.Tests.Cli;

/// <summary>`kindling doctor` and the diagnostics of `kindling train` (doctor first, --profile, --grad-monitor) on a tiny picture folder.</summary>
[Collection("Console")]
public class DoctorCommandTests
{
    static string Recipe(TempDir tmp, int batch)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        if (!Directory.Exists(pictures)) TinyPictures.Write(pictures, 16);
        var recipe = Path.Combine(tmp.Path, $"tiny-{batch}.yaml");
        // 48 pictures, 12 held out: 36 to train on.
        File.WriteAllText(recipe, $"""
            data:
              spec: imagefolder:{pictures}
              validation:
                holdout: 12
              batch_size: {batch}
              num_workers: 0
            transforms:
              train: []
              eval: []
            model:
              name: fastnet
              width_multiplier: 0.25
              norm: group(2)
            optimizer:
              name: adamw
              lr: 0.003
            training:
              epochs: 2
              device: cpu
              threads: 1
            """);
        return recipe;
    }

    [Fact]
    public void ACorrectRecipeHasNoErrorsOrWarningsAndExitsZero()
    {
        using var tmp = new TempDir();
        // The slow checks are covered by DoctorTests on the library; here the command's contract.
        var (code, output, error) = CliRunner.Kindling("doctor", "--config", Recipe(tmp, 12), "--json", "--skip-slow");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("errors").GetInt32() == 0 && doc.RootElement.GetProperty("warnings").GetInt32() == 0, output);
        Assert.Contains("gradient-flow", doc.RootElement.GetProperty("checks_run").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["overfit-one-batch", "learning-rate"], doc.RootElement.GetProperty("checks_skipped").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public void EpochsAutoIsNotTimedForTheDoctorWhichChecksTheMachinesConvolutions()
    {
        using var tmp = new TempDir();
        var (code, output, error) = CliRunner.Kindling("doctor", "--config", Recipe(tmp, 12), "--json", "--skip-slow",
            "--set", "training.epochs=auto", "--set", "training.time_budget_minutes=1");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.DoesNotContain("training.epochs: auto: timing", error);
        using var doc = JsonDocument.Parse(output);
        Assert.Contains("convolution-kernels", doc.RootElement.GetProperty("checks_run").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void AnErrorExitsThreeAndStopsTrainingBeforeItStarts()
    {
        using var tmp = new TempDir();
        // BatchNorm, and 36 samples in batches of 5 leave a last batch of one.
        var recipe = Recipe(tmp, 5);
        var (code, output, _) = CliRunner.Kindling("doctor", "--config", recipe, "--set", "model.norm=batch", "--skip-slow");
        Assert.Equal(3, code);
        Assert.Contains("last batch of one", output);
        Assert.Contains("batchnorm-batch-size", output);
        Assert.Contains("(skipped: overfit-one-batch, learning-rate)", output);

        var run = Path.Combine(tmp.Path, "run");
        var (trainCode, trainOutput, trainError) = CliRunner.Kindling("train", "--config", recipe, "--set", "model.norm=batch", "--out", run, "--plain");
        Assert.Equal(3, trainCode);
        Assert.Contains("training not started", trainError);
        Assert.DoesNotContain("epoch 1/2", trainOutput);
    }

    [Fact]
    public void TrainProfilesAndMonitorsGradients()
    {
        using var tmp = new TempDir();
        var run = Path.Combine(tmp.Path, "run");
        var (code, output, error) = CliRunner.Kindling("train", "--config", Recipe(tmp, 12), "--out", run, "--plain", "--profile", "--grad-monitor", "--grad-monitor-every", "1");
        Assert.True(code == 0, $"exit {code}: {error}\n{output}");
        Assert.Contains("doctor: 0 errors, 0 warnings", error);
        Assert.Contains("verdict: ", output);
        Assert.Contains("stem.conv.weight", output);
        foreach (var file in new[] { "profile.json", "plots/profile.png", "gradients.jsonl" })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "gradients.jsonl")).Length);
        using var profile = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "profile.json")));
        Assert.Equal(5, profile.RootElement.GetProperty("steps").GetInt32()); // 2 epochs x 3 steps, less the first
        Assert.Single(Directory.GetFiles(Path.Combine(run, "tensorboard"), "*.gradients", SearchOption.AllDirectories));
    }
}
