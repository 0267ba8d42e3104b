using Kindling.Config;

namespace Kindling.Tests.Config;

/// <summary>The resolved recipe written as YAML (a run's config.yaml) reads back to the same recipe.</summary>
public class RecipeRoundTripTests
{
    [Theory]
    [MemberData(nameof(ShippedRecipeTests.Files), MemberType = typeof(ShippedRecipeTests))]
    public void ShippedRecipesRoundTrip(string file)
    {
        var recipe = Recipe.Load(ShippedRecipeTests.PathOf(file));
        var yaml = recipe.ToYaml();
        var again = Recipe.Parse(yaml, source: "config.yaml");
        Assert.Equal(yaml, again.ToYaml());
        Assert.Equal(recipe.Optimizer with { Betas = [] }, again.Optimizer with { Betas = [] });
        Assert.Equal(recipe.Training, again.Training);
        Assert.Equal(recipe.Transforms.Train.Select(s => s.Name), again.Transforms.Train.Select(s => s.Name));
    }

    [Fact]
    public void KeysArePyTorchsNames()
    {
        var yaml = Recipe.Parse("training: {precision: bf16_mixed}").ToYaml();
        foreach (var key in new[] { "log_every_n_steps: 50", "T_0: 10", "T_mult: 1", "T_max: null", "label_smoothing: 0", "precision: bf16_mixed", "non_finite: skip",
                     "anneal_strategy: cos", "batch_size: 128", "prefetch_factor: null", "betas: [0.9, 0.999]", "weight_decay: 0", "top_k: 5" })
            Assert.Contains(key + "\n", yaml.Replace("\r\n", "\n"));
    }

    [Fact]
    public void EveryValueKindSurvives()
    {
        var recipe = Recipe.Parse("""
            data:
              spec: "cifar10:/data/with: colon"
              mean: [0.4914, 0.4822, 0.4465]
              std: auto
              classes: [cat, "null", dog]
            transforms:
              train:
                - random_crop: {size: [28, 30], padding: [1, 2, 3, 4], padding_mode: reflect}
                - random_resized_crop: {size: 32, scale: [0.08, 1.0]}
                - to_tensor
                - normalize
            optimizer:
              lr: 1.0e-7
              lookahead: {k: 5, alpha: 0.5}
            schedule:
              name: multi_step_lr
              milestones: [3, 7]
              T_max: 12.5
            training:
              clip_grad_norm: null
              early_stopping: {patience: 3}
            """);
        var again = Recipe.Parse(recipe.ToYaml());
        Assert.Equal(recipe.ToYaml(), again.ToYaml());
        Assert.Equal("cifar10:/data/with: colon", again.Data.Spec);
        Assert.Equal([0.4914, 0.4822, 0.4465], again.Data.Mean.Values);
        Assert.True(again.Data.Std.IsAuto);
        Assert.Equal(["cat", "null", "dog"], again.Data.Classes!);
        Assert.Equal(new[] { 28, 30 }, (int[])again.Transforms.Train[0].Arguments["size"]);
        Assert.Equal(1.0e-7, again.Optimizer.Lr);
        Assert.Equal(12.5, again.Schedule.TMax);
        Assert.Equal(3, again.Training.EarlyStopping!.Patience);
        Assert.Null(again.Training.ClipGradNorm);
        Assert.Contains("T_max: 12.5", recipe.ToYaml());
    }
}
