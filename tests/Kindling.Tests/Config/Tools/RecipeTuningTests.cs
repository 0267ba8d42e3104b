using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Tools;
using Kindling.Runtime;
using Kindling.Tests.Cli;
using Kindling.Tuning;
using Kindling.Tuning.BatchSize;
using Kindling.Tuning.LrFinding;

namespace Kindling.Tests.Config.Tools;

/// <summary>The tuners on a recipe: lr: auto and batch_size: auto resolved on a tiny picture folder, and the choice between the suggestions.</summary>
[Collection("GlobalGenerator")]
public class RecipeTuningTests
{
    public RecipeTuningTests() => TorchRuntime.EnsureLoaded();

    static string TinyRecipe(TempDir tmp, string optimizer, string batch)
    {
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 16);
        return $"""
            data:
              spec: imagefolder:{pictures}
              validation: {"{"}holdout: 12{"}"}
              batch_size: {batch}
              num_workers: 0
            transforms: {"{"}train: [random_horizontal_flip], eval: []{"}"}
            model: {"{"}name: fastnet, width_multiplier: 0.25{"}"}
            optimizer: {optimizer}
            schedule: {"{"}name: one_cycle_lr{"}"}
            training: {"{"}epochs: 1, device: cpu, threads: 1{"}"}
            """;
    }

    [Fact]
    public void ResolveChoosesTheBatchSizeThenTheLrAndSaysHow()
    {
        using var tmp = new TempDir();
        var recipe = Recipe.Parse(TinyRecipe(tmp, "{name: sgd, lr: auto, momentum: 0.9}", "auto"));
        var log = new List<string>();
        var tuned = RecipeTuning.Resolve(recipe, log: log.Add, lrOptions: new LrFinderOptions { StartLr = 1e-4, EndLr = 10, Steps = 16 },
            batchOptions: new BatchSizeFinderOptions { Start = 8, Max = 16, TimedSteps = 1 });

        Assert.False(tuned.Recipe.Optimizer.LrIsAuto);
        Assert.False(tuned.Recipe.Data.BatchSizeIsAuto);
        Assert.Equal(16, tuned.Recipe.Data.BatchSize);
        Assert.Equal([8, 16], tuned.BatchSize!.Probes.Select(p => p.BatchSize));
        var (lr, how) = RecipeTuning.ChooseLr(tuned.Recipe, tuned.LrFind!);
        Assert.Equal(lr, tuned.Recipe.Optimizer.Lr);
        Assert.Equal(Math.Max(tuned.LrFind!.Steepest!.Value, tuned.LrFind.MinimumTenth!.Value), lr);
        Assert.Contains("as the schedule warms up", how);
        Assert.Equal(2, tuned.Notes.Count);
        Assert.StartsWith("data.batch_size: 16 chosen by the batch-size finder (cpu, limited by max", tuned.Notes[0]);
        Assert.StartsWith($"optimizer.lr: {lr:G3} chosen by the LR range test", tuned.Notes[1]);
        Assert.Contains(tuned.Notes[1], log);
        Assert.Equal($"# {tuned.Notes[0]}\n# {tuned.Notes[1]}\n", tuned.ConfigHeader);
        // The resolved recipe builds, and its config reads back to the same numbers.
        using var run = RecipeBuilder.Build(tuned.Recipe);
        Assert.Equal(lr, Recipe.Parse(tuned.ConfigHeader + run.Recipe.ToYaml()).Optimizer.Lr);

        var plain = Recipe.Parse(TinyRecipe(tmp, "{name: sgd, lr: 0.1, momentum: 0.9}", "8"));
        var untouched = RecipeTuning.Resolve(plain);
        Assert.Same(plain, untouched.Recipe);
        Assert.Empty(untouched.Notes);
    }

    [Fact]
    public void WarmUpSchedulesTakeTheLargerSuggestionOthersTheSmaller()
    {
        var points = Enumerable.Range(0, 30).Select(i => new LrFinderPoint(i + 1, Math.Pow(10, -5 + i * 0.2), 1, 1)).ToList();
        var result = new LrFinderResult(points, Steepest: 0.03, MinimumLr: 0.5, "completed", new LrFinderOptions());
        Assert.Equal(0.05, RecipeTuning.ChooseLr(Recipe.Parse("schedule: {name: one_cycle_lr}"), result).Lr, 15);
        Assert.Equal(0.05, RecipeTuning.ChooseLr(Recipe.Parse("schedule: {name: cosine_annealing_lr, warmup_steps: 100}"), result).Lr, 15);
        var (lr, how) = RecipeTuning.ChooseLr(Recipe.Parse("schedule: {name: cosine_annealing_lr}"), result);
        Assert.Equal((0.03, "steepest descent, the smaller suggestion, as the schedule starts at its peak"), (lr, how));
        var empty = result with { Steepest = null, MinimumLr = null };
        Assert.Throws<InvalidOperationException>(() => RecipeTuning.ChooseLr(Recipe.Parse(""), empty));
    }
}
