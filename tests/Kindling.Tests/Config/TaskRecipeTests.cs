using Kindling.Config;
using Kindling.Config.Runs;
using Kindling.Training.Tasks;

namespace Kindling.Tests.Config;

/// <summary>Recipes name their task: classification by default, others registered by name, checked like every other key.</summary>
public class TaskRecipeTests
{
    static RecipeException Refused(string yaml) => Assert.Throws<RecipeException>(() => Recipe.Parse(yaml));

    [Fact]
    public void ClassificationIsTheDefaultAndIsWrittenBack()
    {
        var recipe = Recipe.Parse("data:\n  spec: fashion-mnist\n");
        Assert.Equal("classification", recipe.Task);
        Assert.Contains("task: classification", recipe.ToYaml());
        Assert.Equal(recipe.ToYaml(), Recipe.Parse(recipe.ToYaml()).ToYaml());
    }

    [Fact]
    public void AnUnknownTaskIsRefusedWithTheClosestName()
    {
        var e = Refused("task: clasification\n");
        Assert.Contains(e.Errors, l => l.StartsWith("task: 'clasification' is not a known task (did you mean 'classification'?); known: classification", StringComparison.Ordinal));
    }

    [Fact]
    public void TheMonitorIsCheckedAgainstTheTasksMetrics()
    {
        var e = Refused("training:\n  monitor: val_f2\n");
        Assert.Contains(e.Errors, l => l.StartsWith("training.monitor: 'val_f2' is not a metric of the classification task (did you mean 'val_f1'?)", StringComparison.Ordinal));
        // ema_val_ forms and the engine's own metrics are metrics too.
        Recipe.Parse("training:\n  monitor: ema_val_accuracy\n  ema: {decay: 0.99}\n");
        Recipe.Parse("training:\n  early_stopping: {monitor: train_loss}\n");
    }

    [Fact]
    public void ARegisteredTaskIsNamedByRecipesAndAnotherTasksSectionIsRefused()
    {
        TaskCatalog.Register(new TaskCatalog.Entry("toy-regression", "a test task", [], [MetricSpec.Min("train_loss"), MetricSpec.Min("val_mse")],
            MetricSpec.Min("val_mse"), p => new ClassificationTask(p.RequireModel(), p.Classes.Count)));
        var recipe = Recipe.Parse("task: toy-regression\ntraining:\n  monitor: val_mse\n");
        Assert.Equal("toy-regression", recipe.Task);

        var e = Refused("task: toy-regression\nbatch_mix: {mixup_alpha: 0.2}\nloss: {label_smoothing: 0.1}\n");
        Assert.Contains("batch_mix: belongs to the classification task, but this recipe's task is toy-regression: remove the section, or set task: classification.", e.Errors);
        Assert.Contains("loss: belongs to the classification task, but this recipe's task is toy-regression: remove the section, or set task: classification.", e.Errors);
        // The classification metric is not the toy task's.
        e = Refused("task: toy-regression\ntraining:\n  monitor: val_accuracy\n");
        Assert.Contains(e.Errors, l => l.StartsWith("training.monitor: 'val_accuracy' is not a metric of the toy-regression task", StringComparison.Ordinal));
    }
}
