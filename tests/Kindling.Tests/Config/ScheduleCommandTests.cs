using System.Text.Json;
using Kindling.Tests.Data.Datasets;


namespace Kindling.Tests.Config;

/// <summary>`kindling schedule`: JSON per optimizer step, a PNG plot, and recipe errors as one clear message.</summary>
[Collection("Console")]
public class ScheduleCommandTests
{
    static string Recipe(TempDir dir)
    {
        var path = Path.Combine(dir.Path, "r.yaml");
        File.WriteAllText(path, "data: {batch_size: 100}\noptimizer: {name: sgd, lr: 0.1, momentum: 0.9}\nschedule: {name: one_cycle_lr}\ntraining: {epochs: 2}\n");
        return path;
    }

    [Fact]
    public void JsonHasEveryStepWithLrAndMomentum()
    {
        using var dir = new TempDir();
        var (code, output, error) = CliRunner.Kindling("schedule", "--config", Recipe(dir), "--samples", "1000", "--set", "optimizer.lr=0.2", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var steps = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(20, steps.Count);
        Assert.Equal(0.2 / 25, steps[0].GetProperty("lr").GetDouble(), 12);
        Assert.Equal(1, steps[0].GetProperty("epoch").GetInt32());
        Assert.Equal(19, steps[^1].GetProperty("step").GetInt32());
        Assert.Equal(0.95, steps[0].GetProperty("momentum").GetDouble(), 12);
    }

    [Fact]
    public void WritesAPngAndASummary()
    {
        using var dir = new TempDir();
        var png = Path.Combine(dir.Path, "plots", "schedule.png");
        var (code, output, error) = CliRunner.Kindling("schedule", "--config", Recipe(dir), "--samples", "1000", "--out", png);
        Assert.True(code == 0, error);
        Assert.Contains("peak lr", output);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    public void RecipeErrorsAreOneMessageAndExitNonZero()
    {
        using var dir = new TempDir();
        var (code, _, error) = CliRunner.Kindling("schedule", "--config", Recipe(dir), "--samples", "1000", "--set", "optimizer.momentun=0.8");
        Assert.Equal(2, code); // a bad recipe is a usage error
        Assert.Contains("--set optimizer.momentun: 'momentun' is not a key of optimizer; did you mean 'optimizer.momentum'?", error);
    }

    [Fact]
    public void MissingDataPointsToSamples()
    {
        var root = TestData.RepoRoot()!;
        var (code, _, error) = CliRunner.Kindling("schedule", "--config", Path.Combine(root, "configs", "cifar100-seed.yaml"), "--set", "data.spec=cifar100:/no/such/cifar-100-python.tar.gz");
        Assert.Equal(1, code);
        Assert.Contains("--samples N", error);
    }

    [Fact]
    public void SeedRecipeRestartsAtEpochs10And30()
    {
        var root = TestData.RepoRoot()!;
        var (code, output, error) = CliRunner.Kindling("schedule", "--config", Path.Combine(root, "configs", "cifar100-seed.yaml"), "--samples", "50000", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var steps = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(196 * 50, steps.Count);
        double LrAtEpoch(int epoch) => steps.First(s => s.GetProperty("epoch").GetInt32() == epoch).GetProperty("lr").GetDouble();
        Assert.Equal(1e-3, LrAtEpoch(1), 12);
        Assert.Equal(1e-3, LrAtEpoch(11), 12);
        Assert.Equal(1e-3, LrAtEpoch(31), 12);
        Assert.True(LrAtEpoch(10) < 1e-4);
    }

    [FashionMnistFact]
    public void CountsSamplesFromTheRecipesData()
    {
        var root = TestData.RepoRoot()!;
        var (code, output, error) = CliRunner.Kindling("schedule", "--config", Path.Combine(root, "configs", "fashion-mnist-fast.yaml"), "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var recipe = Kindling.Config.Recipe.Load(Path.Combine(root, "configs", "fashion-mnist-fast.yaml"));
        Assert.Equal(ScheduleTraceSteps(recipe), json.RootElement.GetArrayLength());
    }

    // Fashion-MNIST's 60,000 training images less the recipe's holdout.
    static int ScheduleTraceSteps(Kindling.Config.Recipe r) =>
        Kindling.Config.Runs.ScheduleTrace.StepsPerEpoch(r, 60000 - (int)r.Data.Validation.Holdout) * r.Training.Epochs;
}
