using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Config.Sections;

namespace Kindling.Tests.Config;

/// <summary>A bad recipe is refused before anything runs, with the key's path, the bad value and what is allowed, every problem at once.</summary>
public class RecipeValidationTests
{
    static RecipeException Refused(string yaml, params string[] overrides) =>
        Assert.Throws<RecipeException>(() => Recipe.Parse(yaml, overrides, "test.yaml"));

    [Fact]
    public void UnknownKeyNamesItsPathAndTheClosestKnownKey()
    {
        var e = Refused("optimizer:\n  name: sgd\n  momentun: 0.9\n");
        var line = Assert.Single(e.Errors);
        Assert.StartsWith("optimizer.momentun: unknown key; did you mean 'optimizer.momentum'?", line);
        Assert.Contains("(line 3)", line);
        Assert.StartsWith("test.yaml: 1 problem:", e.Message);
    }

    [Fact]
    public void UnknownSectionIsRefused()
    {
        var line = Assert.Single(Refused("optimiser:\n  lr: 0.1\n").Errors);
        Assert.StartsWith("optimiser: unknown key; did you mean 'optimizer'?", line);
    }

    [Fact]
    public void WrongTypeNamesPathValueAndExpectedType()
    {
        var e = Refused("optimizer:\n  lr: \"fast\"\ntraining:\n  epochs: 2.5\n  ema: 3\ndata:\n  shuffle: yes please\n");
        Assert.Contains(e.Errors, l => l.StartsWith("optimizer.lr: \"fast\" is not a number such as 0.001 (line 2)", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("training.epochs: '2.5' is not an integer", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("training.ema: '3' is not a section; expected keys: decay, warmup", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("data.shuffle: 'yes please' is not true or false", StringComparison.Ordinal));
    }

    [Fact]
    public void LookaheadBindsToTheLibraryOptionsWithTheRecipesKeysAndChecks()
    {
        // optimizer.lookahead binds straight to Optim.LookaheadOptions: the keys, the section error and the range checks are the recipe's.
        var e = Refused("optimizer:\n  lookahead: {k: 0, alpha: 1.5, kk: 2}\n");
        Assert.Contains(e.Errors, l => l.StartsWith("optimizer.lookahead.kk: unknown key; did you mean 'optimizer.lookahead.k'?", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("optimizer.lookahead.k: 0", StringComparison.Ordinal) && l.Contains(">= 1"));
        Assert.Contains(e.Errors, l => l.StartsWith("optimizer.lookahead.alpha: 1.5", StringComparison.Ordinal) && l.Contains("(0, 1]"));
        Assert.StartsWith("optimizer.lookahead: '3' is not a section; expected keys: k, alpha", Assert.Single(Refused("optimizer:\n  lookahead: 3\n").Errors));
        var bound = Recipe.Parse("optimizer:\n  lookahead: {k: 6}\n").Optimizer.ToOptions().Lookahead;
        Assert.Equal(new Kindling.Optim.LookaheadOptions(6, 0.5), bound);
    }

    [Fact]
    public void QuotedNumberIsAStringNotANumber()
    {
        // Types come from the schema, never from how a value looks.
        Assert.Contains(Refused("optimizer:\n  lr: \"1e-3\"\n").Errors, l => l.StartsWith("optimizer.lr: \"1e-3\" is not a number", StringComparison.Ordinal));
    }

    [Fact]
    public void OutOfRangeValuesSayWhatIsExpected()
    {
        var e = Refused("optimizer:\n  lr: 0\ntraining:\n  epochs: -3\nbatch_mix:\n  prob: 1.5\nloss:\n  label_smoothing: 1\n");
        Assert.Contains("optimizer.lr: 0 is out of range; expected a value > 0.", e.Errors);
        Assert.Contains("training.epochs: -3 is out of range; expected >= 1.", e.Errors);
        Assert.Contains("batch_mix.prob: 1.5 is out of range; expected a probability in [0, 1].", e.Errors);
        Assert.Contains("loss.label_smoothing: 1 is out of range; expected a value in [0, 1).", e.Errors);
        Assert.Equal(4, e.Errors.Count);
    }

    [Fact]
    public void UnknownNamesListTheAllowedOnes()
    {
        var e = Refused("optimizer:\n  name: adamx\nschedule:\n  name: cosine\nmodel:\n  name: resnet19\ntraining:\n  precision: fp8\n");
        Assert.Contains(e.Errors, l => l.StartsWith("optimizer.name: 'adamx' is not a known optimizer (did you mean 'adam'?); allowed: sgd, adam, adamw", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("schedule.name: 'cosine' is not a known schedule; allowed: none, step_lr", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("model.name: 'resnet19' is not a known model (did you mean 'resnet18'?); allowed:", StringComparison.Ordinal) && l.Contains("seed-cnn"));
        Assert.Contains(e.Errors, l => l.StartsWith("training.precision: 'fp8' is not a known precision (did you mean 'fp32'?); allowed: fp32, bf16_mixed, fp16_mixed.", StringComparison.Ordinal));
    }

    [Fact]
    public void ScheduleEnumsListTheirValues()
    {
        var e = Refused("schedule:\n  name: one_cycle_lr\n  anneal_strategy: cosine\n  unit: step\n  T_0: 0\n");
        Assert.Contains("schedule.anneal_strategy: 'cosine' is not a known anneal strategy; allowed: cos, linear.", e.Errors);
        Assert.Contains("schedule.unit: 'step' is not a known schedule unit; allowed: batch, epoch.", e.Errors);
        Assert.Contains("schedule.T_0: 0 is out of range; expected >= 1.", e.Errors);
    }

    [Fact]
    public void TransformNamesArgumentsAndRangesAreChecked()
    {
        var e = Refused("""
            transforms:
              train:
                - random_crop: {size: 32, paddng: 4}
                - random_horizontal_flip: {p: 1.5}
                - random_flip
                - rand_augment: {num_ops: two}
                - random_crop: {size: 32, padding_mode: mirror}
            """);
        Assert.Contains(e.Errors, l => l.StartsWith("transforms.train[0].random_crop.paddng: unknown argument of random_crop; did you mean 'padding'? (random_crop takes size, padding, pad_if_needed, fill, padding_mode)", StringComparison.Ordinal));
        Assert.Contains("transforms.train[1].random_horizontal_flip.p: 1.5 is out of range; expected a probability in [0, 1].", e.Errors);
        Assert.Contains(e.Errors, l => l.StartsWith("transforms.train[2].random_flip: 'random_flip' is not a known transform", StringComparison.Ordinal) && l.Contains("random_horizontal_flip"));
        Assert.Contains(e.Errors, l => l.StartsWith("transforms.train[3].rand_augment.num_ops: 'two' is not an integer", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("transforms.train[4].random_crop.padding_mode: 'mirror' is not a known padding mode; allowed: constant, edge, reflect, symmetric.", StringComparison.Ordinal));
    }

    [Fact]
    public void Uint8TransformAfterAFloatOneIsRefused()
    {
        var line = Assert.Single(Refused("transforms:\n  train: [random_erasing, rand_augment]\n").Errors);
        Assert.Equal("transforms.train[1].rand_augment: works on uint8 images but comes after random_erasing, which makes them float; move it before random_erasing.", line);
    }

    [Fact]
    public void ModelOptionsTheFamilyDoesNotTakeAreRefused()
    {
        var line = Assert.Single(Refused("model:\n  name: seed-cnn\n  widen_factor: 4\n").Errors);
        Assert.StartsWith("model.widen_factor: model 'seed-cnn' does not take widen_factor; it takes num_classes, in_channels, input_size, drop_rate, norm.", line);
    }

    [Fact]
    public void MonitoredMetricsMustBeMeasured()
    {
        var e = Refused("training:\n  monitor: val_acc\n  early_stopping: {monitor: loss}\n");
        Assert.Contains(e.Errors, l => l.StartsWith("training.monitor: 'val_acc' is not a metric of the classification task; expected one of train_loss, train_accuracy, val_loss, val_accuracy", StringComparison.Ordinal));
        Assert.Contains(e.Errors, l => l.StartsWith("training.early_stopping.monitor: 'loss' is not a metric of the classification task", StringComparison.Ordinal));
    }

    [Fact]
    public void LoaderRulesFollowPyTorch()
    {
        var e = Refused("data:\n  num_workers: 0\n  prefetch_factor: 4\n  persistent_workers: true\n");
        Assert.Contains("data.prefetch_factor: needs num_workers > 0 (as in PyTorch); set it to null or add workers.", e.Errors);
        Assert.Contains("data.persistent_workers: needs num_workers > 0 (as in PyTorch); set it to false or add workers.", e.Errors);
    }

    [Fact]
    public void AllProblemsComeInOneMessageOneLineEach()
    {
        var e = Refused("optimizer:\n  lr: -1\n  momentun: 0.9\ntraining:\n  epochs: many\n");
        Assert.Equal(3, e.Errors.Count);
        Assert.Equal(4, e.Message.Split('\n').Length);
    }

    [Fact]
    public void BrokenYamlSaysWhere()
    {
        var line = Assert.Single(Refused("optimizer:\n  lr: [0.1\n").Errors);
        Assert.StartsWith("not valid YAML at line", line);
    }

    [Fact]
    public void EmptyRecipeIsTheDefaultsAndValid()
    {
        var recipe = Recipe.Parse("");
        Assert.Equal(new OptimizerRecipe().Lr, recipe.Optimizer.Lr);
        Assert.Equal("fashion-mnist", recipe.Data.Spec);
    }

    [Fact]
    public void MissingFileSaysWhereRecipesAre()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Recipe.Load("no-such.yaml"));
        Assert.Contains("configs/", e.Message);
    }

    [Fact]
    public void HeadlessModelIsAcceptedByTheRecipeButRefusedForClassification()
    {
        var recipe = Recipe.Parse("model:\n  name: resnet18-cifar\n  num_classes: 0\n");
        Assert.Equal(0, recipe.Model.NumClasses);
        Assert.StartsWith("model.num_classes:", Assert.Single(Refused("model:\n  num_classes: -1\n").Errors));
        // The classification path says why before any data is opened.
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(recipe));
        var line = Assert.Single(e.Errors);
        Assert.StartsWith("model.num_classes: 0 builds the model without its classifier", line);
        Assert.Contains("classification run needs a classifier head", line);
        Assert.Throws<RecipeException>(() => RecipeBuilder.BuildEval(recipe));
    }
}
