using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.Loading;
using Kindling.Reporting;
using Kindling.Tests.Cli;

namespace Kindling.Tests.Config;

/// <summary>data.curriculum: a scoring checkpoint ranks the training split, and the loader draws from the easiest part, growing.</summary>
[Collection("Console")]
public class CurriculumRecipeTests
{
    static Recipe Tiny(string pictures, int epochs = 4, params string[] set) =>
        Recipe.Parse(TinyPictures.Recipe(pictures, epochs, holdout: 6) + "\n  threads: 1\nlogging:\n  tensorboard: false\n  plots: false\n", set);

    // A scorer trained for one epoch on the same pictures: its best.ckpt.
    static string Scorer(TempDir tmp, string pictures)
    {
        var folder = RunFolder.Create(Path.Combine(tmp.Path, "scorer"));
        using var training = RecipeTraining.Open(Tiny(pictures, epochs: 1), folder);
        training.Fit();
        return Path.Combine(folder.CheckpointsDir, "best.ckpt");
    }

    [Fact]
    public void TheScorersLossRanksTheSplitAndThePoolGrowsOverTheEpochs()
    {
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 8);
        var scorer = Scorer(tmp, pictures);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, scorer);
        using var run = RecipeBuilder.Build(Tiny(pictures, 4, $"data.curriculum={{scorer: {relative}, pacing: linear, initial_fraction: 0.5, full_data_at: 0.5}}"));
        var sampler = Assert.IsType<CurriculumSampler>(run.TrainLoader.Sampler);
        int n = run.TrainSet.Count;
        // Half of the split first, three quarters next, all of it from the middle of training on.
        Assert.Equal([n / 2, (int)(n * 0.75), n, n], Enumerable.Range(0, 4).Select(sampler.CountAt));
        // The ranking is the scorer's per-image loss, easiest first.
        var (_, pipeline) = CheckpointModel.Load(scorer);
        using (pipeline.Model)
        {
            var loss = DifficultyScores.Loss(pipeline.Model, run.TrainSet, pipeline.Transform);
            Assert.Equal(Enumerable.Range(0, n).OrderBy(i => loss[i]).ThenBy(i => i), sampler.Ranking);
        }
        // Resolved with an absolute path, so a resumed run finds the scorer from any folder.
        Assert.Equal(scorer, run.Recipe.Data.Curriculum!.Scorer);
    }

    [Fact]
    public void ACurriculumIsRefusedWithClearMessages()
    {
        var e = Assert.Throws<RecipeException>(() => Recipe.Parse("data:\n  sampler: weighted\n  curriculum: {scorer: a.ckpt, pacing: quadratic}\n"));
        Assert.Contains(e.Errors, l => l.StartsWith("data.curriculum: chooses each epoch's samples itself, so it cannot be combined with sampler: weighted", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("data.curriculum.pacing:", StringComparison.Ordinal) && l.Contains("quadratic"));
        e = Assert.Throws<RecipeException>(() => Recipe.Parse("data:\n  curriculum: {difficulty: entropy}\n"));
        Assert.Contains(e.Errors, l => l.StartsWith("data.curriculum.scorer: is missing", StringComparison.Ordinal));

        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 8);
        e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Tiny(pictures, 4, "data.curriculum={scorer: nowhere.ckpt}")));
        Assert.Contains($"data.curriculum.scorer: '{Path.GetFullPath("nowhere.ckpt")}' does not exist; expected a classifier checkpoint", e.Message);
    }

    [Fact]
    public void AWeightedSamplerRecipeBuildsItsLoader()
    {
        // The loader refuses shuffle beside a sampler (as PyTorch's): the builder leaves the order to the sampler.
        using var tmp = new TempDir();
        var pictures = Path.Combine(tmp.Path, "pictures");
        TinyPictures.Write(pictures, 8);
        using var run = RecipeBuilder.Build(Tiny(pictures, 1, "data.sampler=weighted"));
        Assert.IsType<WeightedRandomSampler>(run.TrainLoader.Sampler);
        Assert.False(run.TrainLoader.Options.Shuffle);
    }

    [Fact]
    public void TheScheduleTraceFollowsTheGrowingEpochs()
    {
        var recipe = Recipe.Parse("data:\n  batch_size: 10\n  curriculum: {scorer: any.ckpt, initial_fraction: 0.25, full_data_at: 1}\n" +
            "training:\n  epochs: 4\nschedule: {name: one_cycle_lr, max_lr: 0.1}\noptimizer: {name: sgd, lr: 0.1, momentum: 0.9}\n");
        var points = ScheduleTrace.Compute(recipe, 100);
        // Pools of 25, 43, 62 and 81 samples (0.25 + 0.75 e / 4 of 100): 3 + 5 + 7 + 9 batches of 10.
        Assert.Equal([25, 43, 62, 81], Enumerable.Range(0, 4).Select(e => ScheduleTrace.SamplesAt(recipe, 100, e)));
        Assert.Equal(24, points.Count);
        Assert.Equal([3, 5, 7, 9], points.GroupBy(p => p.Epoch).Select(g => g.Count()));
        // One cycle over the run's real 24 steps: its last step is at the floor, initial_lr / final_div_factor.
        Assert.Equal(0.1 / 25 / 1e4, points[^1].Lr, 12);
    }
}
