using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Reporting;
using Kindling.Runtime;
using Kindling.Tests.Cli;

namespace Kindling.Tests.Config.Tools;

/// <summary><c>training.epochs: auto</c> and <c>training.time_budget_minutes</c>: the sum, the validations counted, the recipe keys, and a run end to end.</summary>
[Collection("GlobalGenerator")]
public class RecipeTimeBudgetTests
{
    public RecipeTimeBudgetTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void TheEpochsAreTheMostWhoseStepsAndValidationsFitTheBudgetsShare()
    {
        // 90 s of a 100 s budget; an epoch is 10 steps of 1 s and a 5 s validation: 6 epochs take 90 s, 7 would take 105 s.
        var e = RecipeTimeBudget.Choose(100, 1, 5, _ => 10, n => n)!;
        Assert.Equal((6, 6, 90.0), (e.Epochs, e.Validations, e.EstimatedSeconds));
        // Validations only every 5 epochs and at the last: 9 epochs (90 s) + 2 validations (10 s) overrun; 8 + 2 (90 s) fit.
        Assert.Equal(8, RecipeTimeBudget.Choose(100, 1, 5, _ => 10, n => n / 5 + (n % 5 == 0 ? 0 : 1))!.Epochs);
        // A curriculum's epochs grow: 10, 20, 30 batches sum to 60 s, a fourth (40) would make 100 s.
        Assert.Equal(3, RecipeTimeBudget.Choose(100, 1, 0, i => 10 * (i + 1), _ => 0)!.Epochs);
        Assert.Null(RecipeTimeBudget.Choose(10, 1, 5, _ => 10, n => n));
    }

    [Theory]
    [InlineData("task: simclr\nknn: {every: 5}", 7, 2)]
    [InlineData("task: simclr\nknn: {every: 5}", 10, 2)]
    [InlineData("task: simclr\nknn: {every: 5}", 11, 3)]
    [InlineData("task: moco\nknn: {every: 0}", 11, 0)]
    [InlineData("task: classification", 7, 7)]
    public void ValidationsAreCountedAsTheTaskMakesThem(string yaml, int epochs, int validations) =>
        Assert.Equal(validations, RecipeTimeBudget.Validations(Recipe.Parse(yaml))(epochs));

    [Theory]
    [InlineData("training: {epochs: auto}", "training.epochs: auto chooses the epochs that fit training.time_budget_minutes, which is not set")]
    [InlineData("training: {time_budget_minutes: 0}", "training.time_budget_minutes")]
    public void WrongBudgetKeysAreRefused(string yaml, string message) =>
        Assert.Contains(message, Assert.Throws<RecipeException>(() => Recipe.Parse(yaml)).Message);

    [Fact]
    public void AutoIsWrittenBackAndARunIsNotBuiltWithIt()
    {
        var recipe = Recipe.Parse("training: {epochs: auto, time_budget_minutes: 55}");
        Assert.True(recipe.Training.EpochsIsAuto);
        var yaml = recipe.ToYaml().Replace("\r\n", "\n");
        Assert.Contains("  epochs: auto\n", yaml);
        Assert.Contains("  time_budget_minutes: 55\n", yaml);
        Assert.True(Recipe.Parse(yaml).Training.EpochsIsAuto);
        Assert.Contains("training.epochs: auto is chosen for training.time_budget_minutes before the run is built",
            Assert.Throws<RecipeException>(() => RecipeBuilder.Build(recipe)).Message);
        Assert.Contains("training.epochs is auto", Assert.Throws<ArgumentException>(() => ScheduleTrace.Compute(recipe, 1000)).Message);
    }

    static string Tiny(TempDir tmp, string training)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 16);
        return TinyPictures.Recipe(pictures, epochs: 1).Replace("  epochs: 1\n", training) + "\n  threads: 1\nlogging:\n  tensorboard: false\n  plots: false\n";
    }

    [Fact]
    public void ARunWithEpochsAutoTrainsTheEpochsChosenAndItsConfigHasTheNumber()
    {
        using var tmp = new TempDir();
        var yaml = Tiny(tmp, "  epochs: auto\n  time_budget_minutes: 0.02\n");
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "run"));
        var log = new List<string>();
        using var training = RecipeTraining.Open(Recipe.Parse(yaml), folder, open: new Kindling.Data.Datasets.DataOpenOptions { Log = log.Add });
        int epochs = training.Run.Recipe.Training.Epochs;
        Assert.False(training.Run.Recipe.Training.EpochsIsAuto);
        Assert.InRange(epochs, 1, 10_000);
        var note = Assert.Single(log, l => l.StartsWith($"training.epochs: {epochs} chosen for training.time_budget_minutes 0.02: ", StringComparison.Ordinal));
        Assert.Contains("ms a training step (5 batches an epoch)", note);
        // config.yaml holds the number (a resumed run does not measure again) under the note saying how it was chosen.
        var config = File.ReadAllText(folder.ConfigPath);
        Assert.StartsWith($"# {note}\n", config.Replace("\r\n", "\n"));
        var saved = Recipe.Load(folder.ConfigPath);
        Assert.Equal((epochs, false, 0.02), (saved.Training.Epochs, saved.Training.EpochsIsAuto, saved.Training.TimeBudgetMinutes));
        var result = training.Fit();
        // Either every epoch chosen ran, or the budget stopped the run at an epoch's end (a loaded machine runs slower than measured).
        Assert.True(result.EndReason == "completed" ? result.History.Count == epochs : result.EndReason.StartsWith("stopped: time budget of 0.02 minutes: ", StringComparison.Ordinal),
            $"{result.EndReason} after {result.History.Count} of {epochs} epochs");
    }

    [Fact]
    public void ABudgetTooSmallForOneEpochIsRefusedWithTheMeasurements()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<RecipeException>(() => RecipeTimeBudget.Resolve(Recipe.Parse(Tiny(tmp, "  epochs: auto\n  time_budget_minutes: 0.000001\n"))));
        Assert.Contains("training.time_budget_minutes: 1E-06 minutes do not hold one epoch here: a training step takes", e.Message);
        Assert.Contains("raise the budget or give a number of epochs", e.Message);
    }
}
