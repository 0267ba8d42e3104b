using Kindling.Compression;
using Kindling.Compression.Channels;
using Kindling.Compression.Pruning;
using Kindling.Models;
using Kindling.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Kindling.Tests.Compression;

/// <summary>Removing masked channels gives a smaller dense model with the masked model's outputs.</summary>
[Collection("GlobalGenerator")]
public class ChannelPruningTests
{
    public ChannelPruningTests() => TorchRuntime.EnsureLoaded();

    static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());

    /// <summary>Masks half the channels, checks the shrunk model against the masked one, and returns it.</summary>
    static nn.Module<Tensor, Tensor> MaskAndShrink(string name, ModelOptions options, long side, double amount = 0.5)
    {
        manual_seed(11);
        var model = ModelRegistry.Create(name, options);
        ModelFusionTests.RandomizeNorms(model);
        model.eval();
        var groups = ChannelTopology.Of(model);
        var x = randn(2, 3, side, side);
        Tensor masked;
        using (var pruned = new PrunedModel(model))
        {
            var kept = ChannelPruning.Mask(model, pruned, groups, amount);
            using (inference_mode()) masked = model.call(x);
            pruned.Remove();
            ChannelPruning.Shrink(model, groups, kept);
        }
        Tensor shrunk;
        using (inference_mode()) shrunk = model.call(x);
        double diff = (shrunk - masked).abs().max().item<float>();
        Assert.True(diff <= 1e-5 * Math.Max(1, masked.abs().max().item<float>()), $"{name}: shrunk output differs from the masked one by {diff}");
        return model;
    }

    [Fact]
    public void SeedCnnLosesHalfItsFiltersAndTheFirstLinearLayerItsFeatures()
    {
        using var scope = NewDisposeScope();
        var model = MaskAndShrink("seed-cnn", new ModelOptions { NumClasses = 10 }, 32);
        Assert.Equal(new[] { 32, 32, 64, 64, 128, 128, 256, 256 }, ChannelPlan.Widths(model));
        int[] w = { 3, 32, 32, 64, 64, 128, 128, 256, 256 };
        long convs = Enumerable.Range(0, 8).Sum(i => (long)w[i] * w[i + 1] * 9 + 2 * w[i + 1]); // bias-free conv, BN scale and shift
        long head = (256 * 2 * 2 * 1024 + 1024) + (1024 * 512 + 512) + (512 * 10 + 10);
        Assert.Equal(convs + head, Count(model));
        Assert.Equal(1024, ((Linear)model.named_modules().First(m => m.name == "classifier.fc1").module).in_features);
    }

    [Theory]
    [InlineData("resnet18-cifar")]
    [InlineData("resnet50-cifar")]
    public void ResNetsPruneResidualStreamsTogether(string name)
    {
        using var scope = NewDisposeScope();
        var full = ModelRegistry.Create(name, new ModelOptions { NumClasses = 10 });
        var model = MaskAndShrink(name, new ModelOptions { NumClasses = 10 }, 16);
        var widths = ChannelPlan.Widths(model);
        Assert.Equal(ChannelPlan.Widths(full).Select(c => c / 2), widths);
        Assert.True(Count(model) < Count(full) * 0.3, "half the channels leave about a quarter of the convolution weights");
    }

    [Fact]
    public void AWidthPlanRebuildsTheShrunkModelForItsCheckpoint()
    {
        using var scope = NewDisposeScope();
        var shrunk = MaskAndShrink("resnet18-cifar", new ModelOptions { NumClasses = 10 }, 16);
        var rebuilt = ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = 10 });
        ChannelPlan.Apply(rebuilt, ChannelPlan.Widths(shrunk));
        rebuilt.load_state_dict(shrunk.state_dict());
        rebuilt.eval();
        var x = randn(2, 3, 16, 16);
        using (inference_mode()) Assert.True(rebuilt.call(x).allclose(shrunk.call(x)));
        Assert.Equal(Count(shrunk), Count(rebuilt));

        var bad = ChannelPlan.Widths(rebuilt).ToArray();
        bad[1] = 7; // layer1.0.conv1 may shrink alone, but layer1.0.conv2 is joined to the stem by the residual addition
        bad[2] = 9;
        var fresh = ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = 10 });
        var x2 = Assert.Throws<ArgumentException>(() => ChannelPlan.Apply(fresh, bad));
        Assert.Contains("residual addition", x2.Message);
    }

    [Fact]
    public void FamiliesWithUnknownWiringAreRefused()
    {
        using var model = ModelRegistry.Create("mobilenetv2-cifar", new ModelOptions { NumClasses = 10 });
        var x = Assert.Throws<NotSupportedException>(() => ChannelTopology.Of(model));
        Assert.Contains("seed-cnn", x.Message);
    }

    [Fact]
    public void HeadlessResNetKeepsItsFeatureWidth()
    {
        // Without fc the last residual stream is the features' width, which what reads the encoder was sized by.
        using var headed = ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = 10 });
        using var headless = ModelRegistry.Create("resnet18-cifar", new ModelOptions { NumClasses = 0 });
        var all = ChannelTopology.Of(headed);
        var kept = ChannelTopology.Of(headless);
        Assert.Equal(all.Count - 1, kept.Count);
        Assert.DoesNotContain(kept, g => g.Producers.Any(p => p.Conv == "layer4.1.conv2"));
        var widths = ChannelPlan.Widths(headless).ToArray();
        var convs = headless.named_modules().Where(m => m.module is Conv2d).Select(m => m.name).ToList();
        widths[convs.IndexOf("layer4.1.conv2")] = 256;
        Assert.Contains("cannot be removed", Assert.Throws<ArgumentException>(() => ChannelPlan.Apply(headless, widths)).Message);
    }
}
