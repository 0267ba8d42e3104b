using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Data.BatchMix;
using Kindling.Data.Datasets;
using Kindling.Data.Transforms;
using Kindling.Tests.Data.Datasets;

namespace Kindling.Tests.Config;

/// <summary>From a recipe to runtime objects: transforms with implied normalization, batch mixing, trainer options, the eval side.</summary>
[Collection("GlobalGenerator")]
public class RecipeBuilderTests
{
    static readonly ChannelStatistics Stats = new([0.5], [0.25]);

    [Fact]
    public void ToTensorAndNormalizeAreImpliedBeforeFloatTransforms()
    {
        var r = Recipe.Parse("transforms:\n  train: [random_horizontal_flip, {random_erasing: {p: 0.25}}]\n");
        var compose = Assert.IsType<Compose>(RecipeBuilder.Transform(r.Transforms.Train, Stats));
        Assert.Equal([typeof(RandomHorizontalFlip), typeof(ToTensor), typeof(Normalize), typeof(RandomErasing)], compose.Transforms.Select(t => t.GetType()));
        var normalize = (Normalize)compose.Transforms[2];
        Assert.Equal([0.5], normalize.Mean);
        Assert.Equal([typeof(ToTensor), typeof(Normalize)], ((Compose)RecipeBuilder.Transform([], Stats)).Transforms.Select(t => t.GetType()));
    }

    [Fact]
    public void ClassNamesOfTheWrongCountAreRefusedWithTheDataSetsNames()
    {
        string[] classes = ["cat", "dog", "fox"];
        var train = new InMemoryImageDataset("tiny", new byte[3 * 4], [0, 1, 2], classes, new ImageShape(1, 2, 2));
        var data = new DataSplits("tiny", train, null, classes);
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Resolve(Recipe.Parse("", ["data.classes=[a, b]"]), data, Stats));
        Assert.Contains("data.classes: 2 names given, but tiny has 3 classes (cat, dog, fox); remove data.classes to take the data's, or give 3 names.", e.Errors);
        Assert.Equal(classes, RecipeBuilder.Resolve(Recipe.Parse(""), data, Stats).Data.Classes);
    }

    [Fact]
    public void ExplicitListsAreUsedAsWritten()
    {
        var r = Recipe.Parse("transforms:\n  eval: [to_tensor, {normalize: {std: [0.5]}}]\n  train: [to_tensor]\n");
        var eval = (Compose)RecipeBuilder.Transform(r.Transforms.Eval, Stats);
        var normalize = Assert.IsType<Normalize>(eval.Transforms[1]);
        Assert.Equal([0.5], normalize.Mean);
        Assert.Equal([0.5], normalize.Std);
        Assert.Single(((Compose)RecipeBuilder.Transform(r.Transforms.Train, Stats)).Transforms);
    }

    [Fact]
    public void TransformArgumentsReachTheTransforms()
    {
        var r = Recipe.Parse("transforms:\n  train: [{random_crop: {size: 32, padding: 4, padding_mode: reflect}}, {rand_augment: {num_ops: 3, magnitude: 5}}]\n");
        var compose = (Compose)RecipeBuilder.Transform(r.Transforms.Train, new ChannelStatistics([0.5, 0.5, 0.5], [0.25, 0.25, 0.25]));
        using var image = TorchSharp.torch.zeros([3, 32, 32], TorchSharp.torch.uint8);
        using var output = compose.Apply(image, new Random(0));
        Assert.Equal(new long[] { 3, 32, 32 }, output.shape);
        Assert.IsType<RandomCrop>(compose.Transforms[0]);
        Assert.IsType<RandAugment>(compose.Transforms[1]);
    }

    [Theory]
    [InlineData("{mixup_alpha: 0.8, cutmix_alpha: 1.0}", typeof(MixupOrCutMix))]
    [InlineData("{mixup_alpha: 0.2}", typeof(Mixup))]
    [InlineData("{cutmix_alpha: 1.0}", typeof(CutMix))]
    [InlineData("{cutmix_alpha: 1.0, prob: 0.5}", typeof(MixupOrCutMix))]
    public void BatchMixFollowsTheAlphas(string section, Type expected) =>
        Assert.IsType(expected, Recipe.Parse($"batch_mix: {section}\n").CreateBatchMix());

    [Fact]
    public void TrainSubsetKeepsEveryClassesShareAndLeavesTheHoldoutAlone()
    {
        var bands = Kindling.Tests.Training.TinyData.Bands(90);
        var data = new DataSplits("bands", bands, null, bands.Classes);
        var (train, validation, _) = RecipeBuilder.Split(Recipe.Parse("data:\n  validation: {holdout: 30}\n  train_subset: 15\n"), data);
        Assert.Equal(15, train.Count);
        Assert.Equal(30, validation!.Count);
        var labels = Enumerable.Range(0, train.Count).Select(i => train.GetLabel(i)).ToList();
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(5, labels.Count(l => l == c)));
        var (whole, _, _) = RecipeBuilder.Split(Recipe.Parse("data:\n  validation: {holdout: 30}\n"), data);
        Assert.Equal(60, whole.Count);
    }

    [Fact]
    public void NoMixingWhenBothAlphasAreZero() => Assert.Null(Recipe.Parse("").CreateBatchMix());

    [Fact]
    public void TrainerOptionsCarryEverySection()
    {
        var o = Recipe.Parse("""
            data: {channels_last: true}
            optimizer: {name: sgd, lr: 0.1, momentum: 0.9, nesterov: true, betas: [0.8, 0.9], lookahead: {k: 6}}
            schedule: {name: one_cycle_lr, T_0: 3, anneal_strategy: linear, unit: batch}
            loss: {label_smoothing: 0.1}
            training: {epochs: 7, accumulation_steps: 2, clip_grad_norm: 1.0, precision: bf16_mixed, non_finite: stop, seed: 5, ema: {decay: 0.99, warmup: false}, early_stopping: {patience: 2}}
            """).ToTrainerOptions("ckpt");
        Assert.Equal((7, 2, 1.0, Kindling.Training.Precision.Bf16Mixed, Kindling.Training.NonFiniteAction.Stop, 5L), (o.Epochs, o.AccumulationSteps, o.ClipGradNorm!.Value, o.Precision, o.NonFinite, o.Seed));
        Assert.Equal((0.99, false, 2, "ckpt", true), (o.EmaDecay!.Value, o.EmaWarmup, o.EarlyStopping!.Patience, o.CheckpointDir!, o.ChannelsLast));
        Assert.Equal(("sgd", 0.1, true, 0.8, 6), (o.Optimizer.Name, o.Optimizer.Lr, o.Optimizer.Nesterov, o.Optimizer.Beta1, o.Optimizer.Lookahead!.K));
        Assert.Equal((3, Kindling.Optim.Schedulers.AnnealStrategy.Linear, Kindling.Optim.Schedulers.ScheduleUnit.Batch), (o.Schedule.T0, o.Schedule.AnnealStrategy, o.Schedule.Unit!.Value));
        Assert.Equal(0.1, o.LabelSmoothing);
        Assert.Contains("label_smoothing: 0.1", o.ConfigText);
    }

    [Fact]
    public void EvalNeedsAResolvedRecipe()
    {
        var e = Assert.Throws<ArgumentException>(() => RecipeBuilder.BuildEval(Recipe.Parse("")));
        Assert.Contains("data.mean, data.std, data.classes, model.in_channels, model.input_size are left to the data", e.Message);
    }

    [FashionMnistFact]
    public void ResolvedRecipeRebuildsTheEvalSideWithoutTheData()
    {
        var recipe = Recipe.Parse("model: {name: seed-cnn}\ndata: {spec: fashion-mnist, num_workers: 0, validation: {holdout: 0.1}}\n");
        using var run = RecipeBuilder.Build(recipe);
        Assert.Equal(6000, run.ValidationSet!.Count);
        Assert.Equal(10000, run.TestSet!.Count);
        Assert.False(run.ValidatesOnTest);
        // The recipe stored with a run or checkpoint is enough for eval and predict.
        var stored = Recipe.Parse(run.TrainerOptions.ConfigText!);
        var eval = RecipeBuilder.BuildEval(stored);
        using var model = eval.Model;
        Assert.Equal(run.Classes, eval.Classes);
        Assert.Equal(new ImageShape(1, 28, 28), eval.InputShape);
        Assert.Equal(run.Normalization.Mean, eval.Normalization.Mean);
        Assert.Equal(0.286, eval.Normalization.Mean[0], 2);
    }
}
