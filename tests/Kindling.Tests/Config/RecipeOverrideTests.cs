using Kindling.Config;

namespace Kindling.Tests.Config;

/// <summary>--set key.path=value: parsed as YAML, applied before validation, checked like the file.</summary>
public class RecipeOverrideTests
{
    const string Base = "optimizer:\n  name: sgd\n  lr: 0.1\n  momentum: 0.9\ntransforms:\n  train:\n    - random_horizontal_flip: {p: 0.5}\n";

    [Fact]
    public void ScalarsListsAndNewSectionsAreSet()
    {
        var r = Recipe.Parse(Base, ["optimizer.lr=3e-3", "transforms.train=[]", "training.ema.decay=0.999", "schedule.milestones=[30, 60]", "optimizer.betas=[0.8, 0.99]"]);
        Assert.Equal(3e-3, r.Optimizer.Lr);
        Assert.Empty(r.Transforms.Train);
        Assert.Equal(0.999, r.Training.Ema!.Decay);
        Assert.True(r.Training.Ema.Warmup);
        Assert.Equal([30, 60], r.Schedule.Milestones);
        Assert.Equal([0.8, 0.99], r.Optimizer.Betas);
    }

    [Fact]
    public void FlowMappingsAndNullsAreSet()
    {
        var r = Recipe.Parse("training:\n  ema: {decay: 0.99}\n", ["training.ema=null", "optimizer.lookahead={k: 6}", "transforms.train=[{random_crop: {size: 28, padding: 2}}]"]);
        Assert.Null(r.Training.Ema);
        Assert.Equal(6, r.Optimizer.Lookahead!.K);
        var step = Assert.Single(r.Transforms.Train);
        Assert.Equal("random_crop", step.Name);
        Assert.Equal(2, step.Arguments["padding"]);
    }

    [Fact]
    public void PathThatDoesNotExistIsAnError()
    {
        var e = Assert.Throws<RecipeException>(() => Recipe.Parse(Base, ["optimizer.learning_rate=0.1", "optimiser.lr=0.1", "optimizer.lr.max=1"]));
        Assert.Contains(e.Errors, l => l.StartsWith("--set optimizer.learning_rate: 'learning_rate' is not a key of optimizer", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("--set optimiser.lr: 'optimiser' is not a key; did you mean 'optimizer'?", StringComparison.Ordinal));
        Assert.Contains("--set optimizer.lr.max: optimizer.lr is a value, not a section; set it whole (--set optimizer.lr=...).", e.Errors);
    }

    [Fact]
    public void OverriddenValuesAreValidatedLikeTheFile()
    {
        var e = Assert.Throws<RecipeException>(() => Recipe.Parse(Base, ["optimizer.lr=fast", "training.epochs=-1", "assignment-without-equals"]));
        Assert.Contains(e.Errors, l => l.StartsWith("optimizer.lr: 'fast' is not a number", StringComparison.Ordinal));
        Assert.Contains("training.epochs: -1 is out of range; expected >= 1.", e.Errors);
        Assert.Contains("--set assignment-without-equals: expected key.path=value, e.g. --set optimizer.lr=3e-3.", e.Errors);
    }

    [Fact]
    public void ScheduleKeysKeepPyTorchCapitals()
    {
        var r = Recipe.Parse("", ["schedule.name=cosine_annealing_warm_restarts", "schedule.T_0=5", "schedule.T_mult=2"]);
        Assert.Equal(5, r.Schedule.T0);
        Assert.Equal(2, r.Schedule.TMult);
    }

    [Fact]
    public void UnclosedYamlInSetOrFileIsARecipeErrorWithItsPlace()
    {
        var e = Assert.Throws<RecipeException>(() => Recipe.Parse(Base, ["optimizer.lr=[0.2", "optimizer={name: sgd", "optimizer.momentum=0.8"]));
        Assert.Equal(2, e.Errors.Count);
        Assert.Contains(e.Errors, l => l.StartsWith("--set optimizer.lr: '[0.2' is not valid YAML (it ends before a list or mapping is closed)", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("--set optimizer: '{name: sgd' is not valid YAML (it ends before a list or mapping is closed)", StringComparison.Ordinal));
        var file = Assert.Throws<RecipeException>(() => Recipe.Parse("optimizer:\n  lr: [0.2", source: "bad.yaml"));
        Assert.StartsWith("not valid YAML at line 3, column 1", Assert.Single(file.Errors));
    }
}
