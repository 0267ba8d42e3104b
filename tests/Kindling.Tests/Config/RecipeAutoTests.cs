using Kindling.Config;
using Kindling.Config.Runs;

namespace Kindling.Tests.Config;

/// <summary><c>optimizer.lr: auto</c> and <c>data.batch_size: auto</c>: read, written back, overridden, and refused where a number is needed.</summary>
public class RecipeAutoTests
{
    [Fact]
    public void AutoIsReadAndWrittenBack()
    {
        var recipe = Recipe.Parse("optimizer: {name: sgd, lr: auto, momentum: 0.9}\ndata: {batch_size: auto}");
        Assert.True(recipe.Optimizer.LrIsAuto);
        Assert.True(recipe.Data.BatchSizeIsAuto);
        var yaml = recipe.ToYaml().Replace("\r\n", "\n");
        Assert.Contains("  lr: auto\n", yaml);
        Assert.Contains("  batch_size: auto\n", yaml);
        var again = Recipe.Parse(yaml);
        Assert.Equal(yaml, again.ToYaml().Replace("\r\n", "\n"));
        Assert.True(again.Optimizer.LrIsAuto && again.Data.BatchSizeIsAuto);
        // The flags are not keys of their own.
        Assert.DoesNotContain("lr_is_auto", yaml);
        Assert.Contains("unknown key", Assert.Throws<RecipeException>(() => Recipe.Parse("optimizer: {lr_is_auto: true}")).Message);
    }

    [Fact]
    public void OverridesSetAndClearAuto()
    {
        var auto = Recipe.Parse("optimizer: {lr: 0.1}", ["optimizer.lr=auto"]);
        Assert.True(auto.Optimizer.LrIsAuto);
        var number = Recipe.Parse("optimizer: {lr: auto}", ["optimizer.lr=0.3"]);
        Assert.False(number.Optimizer.LrIsAuto);
        Assert.Equal(0.3, number.Optimizer.Lr);
        Assert.False(Recipe.Parse("optimizer: {lr: 0.1}").Optimizer.LrIsAuto);
    }

    [Theory]
    [InlineData("optimizer: {lr: fast}", "optimizer.lr: 'fast' is not a number")]
    [InlineData("optimizer: {lr: \"auto\"}", "optimizer.lr: \"auto\" is not a number")]
    [InlineData("data: {batch_size: automatic}", "data.batch_size: 'automatic' is not an integer")]
    [InlineData("optimizer: {lr: auto}\nschedule: {name: one_cycle_lr, max_lr: 0.1}", "optimizer.lr: auto would be ignored: schedule.max_lr sets the peak")]
    public void WrongValuesAreRefused(string yaml, string message) =>
        Assert.Contains(message, Assert.Throws<RecipeException>(() => Recipe.Parse(yaml)).Message);

    [Fact]
    public void ARunIsNotBuiltWithAnAutoValueLeft()
    {
        var e = Assert.Throws<RecipeException>(() => RecipeBuilder.Build(Recipe.Parse("optimizer: {lr: auto}\ndata: {batch_size: auto}")));
        Assert.Contains("optimizer.lr: auto is chosen by the LR range test before the run is built", e.Message);
        Assert.Contains("data.batch_size: auto is chosen by the batch-size finder", e.Message);
        Assert.Contains("RecipeTuning.Resolve", e.Message);
    }

    [Fact]
    public void TheScheduleAsksForANumber()
    {
        var e = Assert.Throws<ArgumentException>(() => ScheduleTrace.Compute(Recipe.Parse("optimizer: {lr: auto}\nschedule: {name: one_cycle_lr}"), 1000));
        Assert.Contains("optimizer.lr is auto", e.Message);
    }
}
